// Records repeated across pages (docs/hostile-servers.md) through the PostgreSQL coordinator:
// `baliza extract` and `retry-failed` with BALIZA_COORDINATOR_URL against a hostile loopback
// API (tests/support/hostile_server.h) and a real PostgreSQL started by the test. The pages a
// retried task kept from the first run are compared too (their hashes read back from the
// coordinator's payloads), a page still repeating is never taken as whole, and the replacing
// answer takes the old one's place in the coordinator (one current page after `pull`).
#include <stdlib.h>

#include <fmt/format.h>

#include <atomic>
#include <fstream>

#include "integration/extract_test_support.h"
#include "support/child_process.h"
#include "support/hostile_server.h"
#include "support/postgres_server.h"

namespace baliza::extract_test {
namespace {

using baliza::testing::HostileConn;
using baliza::testing::HostileRequest;
using baliza::testing::HostileServer;
using baliza::testing::http_answer;
using testing::Child;

// Page `page` of 25 records (pages of 10); with `repeating`, page 2 serves 10..19 (10 twice).
std::string page_of_25(int page, bool repeating) {
  const int first = page == 2 && repeating ? 10 : (page - 1) * 10 + 1;
  const int last = page == 2 && repeating ? 19 : std::min(25, page * 10);
  std::string data;
  for (int i = first; i <= last; ++i) {
    if (!data.empty()) data += ',';
    data += fmt::format(R"({{"numeroControlePNCP":"00000000000191-2-{:06d}/2024"}})", i);
  }
  return fmt::format(R"({{"data":[{}],"totalRegistros":25,"totalPaginas":3,"numeroPagina":{},)"
                     R"("paginasRestantes":{},"empty":false}})",
                     data, page, 3 - page);
}

class CoordHostile : public Extraction {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg.ok());
    setenv("BALIZA_COORDINATOR_URL", pg.url().c_str(), 1);
    std::ofstream(dir / "endpoints.yaml") << R"(
defaults:
  rate_limit: {requests_per_second: 2000, burst: 50}
  retry: {max_attempts: 3, base_backoff_ms: 5, max_backoff_ms: 50}
  timeouts: {connect_seconds: 2, request_seconds: 5}
  short_page_retries: 1
  claim_ttl_seconds: 30
endpoints:
  - name: contratos
    page_size: 10
)";
  }
  void TearDown() override { unsetenv("BALIZA_COORDINATOR_URL"); }
  std::string db_path() const { return (dir / "baliza.duckdb").string(); }

  testing::PostgresServer pg;
};

TEST_F(CoordHostile, RepeatedRecordsAreNeverTakenAsWholeByRetryFailed) {
  close_db();
  std::atomic<bool> repeating{true};
  HostileServer srv([&](const HostileRequest& r, HostileConn& c) {
    c.send(http_answer(200, page_of_25(r.query_int("pagina", 1), repeating)));
  });
  const std::string base = srv.base_url() + "/api/consulta";
  Child first(dir.path(),
              {"--db", db_path(), "extract", "--dia", "2024-03-05", "--endpoint", "contratos",
               "--base-url", base},
              "first");
  EXPECT_EQ(first.wait(), 1) << first.err();
  EXPECT_EQ(pg.scalar("SELECT status FROM baliza.task_plan"), "partial");
  const std::vector<std::string> retry{"--db",       db_path(),   "retry-failed", "2024-03",
                                       "--endpoint", "contratos", "--base-url",   base};
  // Still repeating: the stored pages are compared with the new answers, the task stays partial.
  Child still(dir.path(), retry, "still");
  EXPECT_EQ(still.wait(), 1) << still.err() << still.out();
  EXPECT_EQ(pg.scalar("SELECT status FROM baliza.task_plan"), "partial");
  // Fixed upstream: the page is asked again, replaces the stored one, the record arrives.
  repeating = false;
  Child fixed(dir.path(), retry, "fixed");
  EXPECT_EQ(fixed.wait(), 0) << fixed.err() << fixed.out();
  EXPECT_EQ(pg.scalar("SELECT status FROM baliza.task_plan"), "done");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM baliza.task_results WHERE superseded_at IS NULL"), "3");
  open_db();
  Result r = conn->query(
      "SELECT count(k), count(DISTINCT k) FROM (SELECT unnest(json_extract_string("
      "baliza_payload(p.compressed), '$.data[*].numeroControlePNCP')) AS k FROM "
      "runtime.task_results r JOIN raw.api_requests a USING (request_id) JOIN raw.payloads p "
      "USING (payload_sha256) WHERE r.superseded_at IS NULL)");
  EXPECT_EQ(r.get_int64(0, 0), 25);
  EXPECT_EQ(r.get_int64(1, 0), 25);
}

}  // namespace
}  // namespace baliza::extract_test
