// A test fixture that runs the built baliza binary as a user would, in a fresh folder, and reads
// single values back with `baliza query`. BALIZA_BIN is defined by the test target.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/process.h"
#include "support/temp_dir.h"

namespace baliza::testing {

class BalizaCli : public ::testing::Test {
 protected:
  // `baliza <args>` in the test's folder, with BALIZA_DB unset.
  ProcessResult baliza(const std::string& args) {
    return run_command(std::string("env -u BALIZA_DB ") + BALIZA_BIN + " " + args, dir.path());
  }
  // The one value `sql` returns from the database `db`, as CSV text ("" for NULL).
  std::string scalar(const std::string& db, const std::string& sql) {
    auto r = baliza("--db " + db + " query -f csv \"" + sql + "\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto nl = r.out.find('\n');
    std::string value = nl == std::string::npos ? "" : r.out.substr(nl + 1);
    while (!value.empty() && value.back() == '\n') value.pop_back();
    return value;
  }
  TempDir dir;
};

}  // namespace baliza::testing
