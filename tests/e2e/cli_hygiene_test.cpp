// End-to-end: usage mistakes are said plainly, with the closest match and exit 2.
#include <gtest/gtest.h>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CliHygiene : public testing::BalizaCli {};

TEST_F(CliHygiene, UnknownCommandsNameTheClosestOne) {
  auto r = baliza("quey 'select 1'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown command 'quey'; did you mean 'query'?")) << r.err;
  // --help after a command that does not exist is still an error, not the top-level help.
  auto help = baliza("no-such-command --help");
  EXPECT_EQ(help.exit_code, 2);
  EXPECT_TRUE(contains(help.err, "unknown command 'no-such-command'")) << help.err;
  EXPECT_TRUE(help.out.empty()) << help.out;
  auto nested = baliza("dbt biuld");
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_TRUE(contains(nested.err, "unknown command 'dbt biuld'; did you mean 'build'?"))
      << nested.err;
}

TEST_F(CliHygiene, UnknownFlagsNameTheClosestOne) {
  auto r = baliza("dbt run --selct x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown flag --selct for `baliza dbt run`; did you mean '--select'"))
      << r.err;
  auto q = baliza("query --formt csv 'select 1'");
  EXPECT_EQ(q.exit_code, 2);
  EXPECT_TRUE(contains(q.err, "did you mean '--format'")) << q.err;
  // Known commands and their help still work.
  EXPECT_EQ(baliza("dbt run --help").exit_code, 0);
  EXPECT_EQ(baliza("--version").exit_code, 0);
}

}  // namespace
}  // namespace baliza
