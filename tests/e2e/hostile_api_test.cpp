// End-to-end against a hostile API (tests/support/hostile_server.h, in this process on
// loopback): what a user of `baliza extract`, `recovery-status` and `verify` sees when the API
// repeats records across pages (the counts add up, a record is missing), redirects to another
// host, or cannot be reached at all. The integration suite (tests/integration/hostile_api_test)
// covers every fault class; this checks the exit codes and the words on the terminal.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <string>

#include "support/baliza_cli.h"
#include "support/hostile_server.h"
#include "unit/extract/loopback_server.h"

namespace baliza {
namespace {

using baliza::testing::HostileConn;
using baliza::testing::HostileRequest;
using baliza::testing::HostileServer;
using baliza::testing::http_answer;

// Page `page` of 25 records (pages of 10); page 2 serves records 10..19 (10 twice, 20 never).
std::string repeating_page(int page) {
  const int first = page == 2 ? 10 : (page - 1) * 10 + 1;
  const int last = page == 2 ? 19 : std::min(25, page * 10);
  std::string data;
  for (int i = first; i <= last; ++i) {
    data += fmt::format(R"({}{{"numeroControlePNCP":"00000000000191-2-{:06d}/2024"}})",
                        data.empty() ? "" : ",", i);
  }
  return fmt::format(R"({{"data":[{}],"totalRegistros":25,"totalPaginas":3,"numeroPagina":{},)"
                     R"("paginasRestantes":{},"empty":false}})",
                     data, page, 3 - page);
}

class HostileCli : public testing::BalizaCli {
 protected:
  void SetUp() override {
    std::ofstream(dir / "endpoints.yaml") << R"(defaults:
  rate_limit: {requests_per_second: 2000, burst: 50}
  retry: {max_attempts: 3, base_backoff_ms: 5, max_backoff_ms: 50}
  timeouts: {connect_seconds: 1, request_seconds: 2}
  short_page_retries: 1
endpoints:
  - name: contratos
    page_size: 10
)";
  }
};

TEST_F(HostileCli, RepeatedRecordsExit1AndRecoveryStatusCountsTheMissingOne) {
  HostileServer srv([](const HostileRequest& r, HostileConn& c) {
    c.send(http_answer(200, repeating_page(r.query_int("pagina", 1))));
  });
  auto run = baliza(
      "--db data/h.duckdb extract --dia 2024-03-05 --endpoint contratos "
      "--base-url " +
      srv.base_url() + "/api/consulta");
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE((run.out + run.err).find("repeated 1 records of page 1"), std::string::npos)
      << run.out << run.err;
  EXPECT_EQ(scalar("data/h.duckdb", "select status from planning.task_plan"), "partial");
  EXPECT_EQ(scalar("data/h.duckdb",
                   "select count(*) from meta.failed_requests where error_class = "
                   "'repeated_records' and url like '%pagina=2%' and resolved_at is null"),
            "1");
  auto status = baliza("--db data/h.duckdb recovery-status 2024-03");
  EXPECT_EQ(status.exit_code, 1) << status.err;
  EXPECT_NE(status.out.find("1 records missing"), std::string::npos) << status.out;

  // verify against an API that is gone: exit 3, the host named, not "every page failed".
  const int closed = baliza::extract::testing::closed_port();
  auto verify = baliza(
      "--db data/h.duckdb verify --range 2024-03-05:2024-03-05 --base-url "
      "http://127.0.0.1:" +
      std::to_string(closed) + "/api/consulta");
  EXPECT_EQ(verify.exit_code, 3) << verify.out << verify.err;
  EXPECT_NE(verify.err.find("cannot reach 127.0.0.1:" + std::to_string(closed)), std::string::npos)
      << verify.err;
}

TEST_F(HostileCli, ARedirectToAnotherHostIsNotFollowedAndSaysWhere) {
  HostileServer srv([](const HostileRequest& r, HostileConn& c) {
    c.send(http_answer(301, "", "", {"Location: http://baliza-moved.invalid" + r.target}));
  });
  auto run = baliza(
      "--db data/r.duckdb extract --dia 2024-03-05 --endpoint contratos "
      "--base-url " +
      srv.base_url() + "/api/consulta");
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE((run.out + run.err).find("redirected to http://baliza-moved.invalid/api/consulta/"),
            std::string::npos)
      << run.out << run.err;
  EXPECT_NE((run.out + run.err).find("not followed"), std::string::npos);
  EXPECT_EQ(srv.requests(), 1);
}

}  // namespace
}  // namespace baliza
