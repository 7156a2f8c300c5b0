// End-to-end: libcurl is dlopen()ed on first use (src/extract/curl_api.cpp), not linked. Commands
// that never fetch start without it; a fetch without it fails with a clear environment error
// before any task is claimed or any page recorded.
#include <gtest/gtest.h>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

using testing::ProcessResult;

class CurlLoading : public testing::BalizaCli {
 protected:
  // `baliza <args>` with BALIZA_CURL_LIB pointing at a file that does not exist.
  ProcessResult baliza_without_curl(const std::string& args) {
    return testing::run_command(
        std::string("env -u BALIZA_DB BALIZA_CURL_LIB=/nonexistent/libcurl.so.4 ") + BALIZA_BIN +
            " " + args,
        dir.path());
  }
};

TEST_F(CurlLoading, CommandsThatDoNotFetchNeverLoadIt) {
  auto v = baliza_without_curl("--version");
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out, "baliza " BALIZA_VERSION "\n");
  ASSERT_EQ(baliza_without_curl("init -q").exit_code, 0);
  auto q = baliza_without_curl("query -f csv \"select 1 as x\"");
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "x\n1\n");
}

TEST_F(CurlLoading, MissingLibraryIsAClearEnvironmentErrorAndLeavesNothingHalfDone) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  auto r = baliza_without_curl("extract --dia 2024-01-02 --base-url http://127.0.0.1:1 -q");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;  // ExitCode::kEnvironment
  EXPECT_NE(r.err.find("cannot load libcurl"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/libcurl.so.4 (from BALIZA_CURL_LIB)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("needed to fetch over HTTP"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("apt-get install libcurl4"), std::string::npos) << r.err;

  // The plan was written (a complete step of its own), but nothing was claimed, fetched or
  // recorded as a run: every task is still pending, so a rerun with libcurl resumes cleanly.
  const std::string db = "data/baliza.duckdb";
  EXPECT_NE(scalar(db, "select count(*) from planning.task_plan"), "0");
  EXPECT_EQ(scalar(db, "select count(*) from planning.task_plan where status <> 'pending'"), "0");
  EXPECT_EQ(scalar(db, "select count(*) from raw.api_requests"), "0");
  EXPECT_EQ(scalar(db, "select count(*) from meta.execution_log"), "0");
  EXPECT_EQ(scalar(db, "select count(*) from meta.run_results"), "0");
}

}  // namespace
}  // namespace baliza
