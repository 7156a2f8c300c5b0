// Many `baliza worker` processes against the in-process simulator, coordinated through a real
// PostgreSQL server started by the test: one worker is killed with SIGKILL mid-run and the
// server is restarted once; after `baliza pull` the local raw store equals the simulator's
// ground truth, no page is stored twice and no task was ever claimed twice at once.
#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <thread>

#include "integration/extract_test_support.h"
#include "support/child_process.h"
#include "support/postgres_server.h"

namespace baliza::extract_test {
namespace {

using testing::Child;

class CoordWorkers : public Extraction {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg.ok());
    setenv("BALIZA_COORDINATOR_URL", pg.url().c_str(), 1);
    start_sim();
    // Slow enough that a worker can be killed mid-run; claims of a dead worker expire after
    // the shortest TTL the extractor allows (30 s).
    std::ofstream(dir / "endpoints.yaml") << R"(
defaults:
  concurrency: 4
  rate_limit: {requests_per_second: 40, burst: 2}
  retry: {max_attempts: 8, base_backoff_ms: 5, max_backoff_ms: 50}
  circuit_breaker: {failure_threshold: 50, open_seconds: 1, half_open_probes: 1}
  timeouts: {connect_seconds: 5, request_seconds: 10}
  claim_ttl_seconds: 30
endpoints:
  - name: contratos
    page_size: 10
)";
  }
  void TearDown() override { unsetenv("BALIZA_COORDINATOR_URL"); }

  std::vector<std::string> period() const {
    return {"--mes", "2024-01", "--endpoint", "contratos", "--endpoint", "contratacoes_publicacao"};
  }
  std::vector<std::string> with(std::vector<std::string> head) const {
    for (const auto& a : period()) head.push_back(a);
    return head;
  }
  std::vector<std::string> worker(const std::string& id) const {
    return with({"worker", "--worker-id", id, "--base-url", sim->base_url(), "--patience", "60"});
  }
  std::string db_path() const { return (dir / "baliza.duckdb").string(); }

  testing::PostgresServer pg;
};

TEST_F(CoordWorkers, ThreeWorkersOneKilledServerRestartedEqualsGroundTruth) {
  close_db();
  {
    Child plan(dir.path(), with({"--db", db_path(), "plan"}), "plan");
    ASSERT_EQ(plan.wait(), 0) << plan.err();
    EXPECT_NE(plan.out().find("published to the coordinator"), std::string::npos) << plan.out();
  }
  const std::int64_t planned = std::stoll(pg.scalar("SELECT count(*) FROM baliza.task_plan"));
  ASSERT_GT(planned, 100);

  Child w1(dir.path(), worker("w1"), "w1");
  Child w2(dir.path(), worker("w2"), "w2");
  Child w3(dir.path(), worker("w3"), "w3");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (sim->stats().total_requests < 60 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(sim->stats().total_requests, 60u);
  w2.signal(SIGKILL);
  EXPECT_EQ(w2.wait(), 128 + SIGKILL);
  ASSERT_TRUE(pg.restart());
  EXPECT_EQ(w1.wait(), 0) << w1.err();
  EXPECT_EQ(w3.wait(), 0) << w3.err();
  EXPECT_TRUE(w1.err().find("coordinator unreachable") != std::string::npos ||
              w3.err().find("coordinator unreachable") != std::string::npos)
      << "the restart was not noticed:\n"
      << w1.err() << w3.err();

  // The killed worker's claims expired and were claimed again.
  EXPECT_GT(std::stoll(pg.scalar(
                "SELECT count(*) FROM baliza.task_claims WHERE worker_id = 'w2' AND status = "
                "'expired'")),
            0);
  // No task was ever held by two claims at once (claims are kept as history).
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM baliza.task_claims a JOIN baliza.task_claims b ON "
                      "a.task_id = b.task_id AND a.claim_id < b.claim_id WHERE a.claimed_at < "
                      "coalesce(b.ended_at, 'infinity') AND b.claimed_at < coalesce(a.ended_at, "
                      "'infinity')"),
            "0");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM baliza.task_plan WHERE status <> 'done'"), "0");
  // Work was shared.
  EXPECT_GT(std::stoll(pg.scalar("SELECT count(DISTINCT worker_id) FROM baliza.api_requests")), 2);

  Child pull(dir.path(), {"--db", db_path(), "pull"}, "pull");
  ASSERT_EQ(pull.wait(), 0) << pull.err();
  EXPECT_NE(pull.out().find("pulled from the coordinator"), std::string::npos);
  open_db();
  const std::vector<std::string> endpoints{"contratos", "contratacoes_publicacao"};
  EXPECT_EQ(stored_counts(false), truth(config(), endpoints, "20240101", "20240131"));
  EXPECT_EQ(stored_counts(true), truth(config(), endpoints, "20240101", "20240131"));
  EXPECT_EQ(duplicate_pages(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status <> 'done'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM raw.api_requests r LEFT JOIN raw.payloads p USING "
                  "(payload_sha256) WHERE r.payload_sha256 IS NOT NULL AND p.payload_sha256 IS "
                  "NULL"),
            0)
      << "a request whose body was not pulled";
  EXPECT_EQ(count("SELECT count(*) FROM meta.completeness_checks"),
            std::stoll(pg.scalar("SELECT count(*) FROM baliza.completeness_checks")));
  const std::int64_t requests = count("SELECT count(*) FROM raw.api_requests");
  close_db();

  // A second pull copies nothing new.
  Child again(dir.path(), {"--db", db_path(), "pull"}, "again");
  ASSERT_EQ(again.wait(), 0) << again.err();
  EXPECT_NE(again.out().find("pulled from the coordinator: 0 request(s)"), std::string::npos)
      << again.out();
  open_db();
  EXPECT_EQ(count("SELECT count(*) FROM raw.api_requests"), requests);
}

TEST_F(CoordWorkers, RunExtractsThroughTheCoordinatorThenTransformsWhatItPulled) {
  close_db();
  Child run(dir.path(),
            {"--db", db_path(), "run", "--mes", "2024-01", "--endpoint", "contratos", "--base-url",
             sim->base_url()},
            "run");
  ASSERT_EQ(run.wait(), 0) << run.err() << run.out();
  EXPECT_NE(run.err().find("published"), std::string::npos) << run.err();
  EXPECT_NE(run.err().find("pulled from the coordinator"), std::string::npos) << run.err();
  EXPECT_GT(std::stoll(pg.scalar("SELECT count(*) FROM baliza.api_requests")), 0);
  open_db();
  EXPECT_EQ(stored_counts(true), truth(config(), {"contratos"}, "20240101", "20240131"));
  EXPECT_GT(count("SELECT count(*) FROM staging.contratos"), 0) << "the transform saw nothing";
}

TEST_F(CoordWorkers, RetryFailedRequeuesInTheCoordinator) {
  close_db();
  pncp_sim::Options o = small_sim();
  pncp_sim::FaultConfig fault;
  fault.kind = pncp_sim::FaultKind::fail_first;  // each first page fails once, permanently
  fault.endpoint = "/v1/contratos";
  fault.match = "pagina=1&";
  fault.status = 422;
  fault.count = 1;
  o.faults.push_back(fault);
  start_sim(o);
  const std::vector<std::string> month{"--mes",     "2024-01",    "--endpoint",
                                       "contratos", "--base-url", sim->base_url()};
  std::vector<std::string> extract{"--db", db_path(), "extract"};
  extract.insert(extract.end(), month.begin(), month.end());
  Child first(dir.path(), extract, "first");
  EXPECT_EQ(first.wait(), 1) << first.err();
  EXPECT_GT(std::stoll(pg.scalar("SELECT count(*) FROM baliza.task_plan WHERE status = 'failed'")),
            0);
  Child retry(dir.path(),
              {"--db", db_path(), "retry-failed", "2024-01", "--endpoint", "contratos",
               "--base-url", sim->base_url()},
              "retry");
  ASSERT_EQ(retry.wait(), 0) << retry.err() << retry.out();
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM baliza.task_plan WHERE status <> 'done'"), "0");
  open_db();
  EXPECT_EQ(stored_counts(true), truth(config(), {"contratos"}, "20240101", "20240131"));
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status <> 'done'"), 0);
}

TEST_F(CoordWorkers, UnreachableCoordinatorIsAnEnvironmentErrorAtOnce) {
  close_db();
  setenv("BALIZA_COORDINATOR_URL",
         ("host=" + (dir / "no-server-here").string() + " port=5432 user=baliza").c_str(), 1);
  Child w(dir.path(), worker("lonely"), "lonely");
  EXPECT_EQ(w.wait(), 3);
  EXPECT_NE(w.err().find("cannot connect to the coordinator"), std::string::npos) << w.err();
  EXPECT_NE(w.err().find("BALIZA_COORDINATOR_URL"), std::string::npos) << w.err();

  unsetenv("BALIZA_COORDINATOR_URL");
  Child none(dir.path(), {"pull"}, "none");
  EXPECT_EQ(none.wait(), 2);
  EXPECT_NE(none.err().find("needs a coordinator"), std::string::npos) << none.err();
}

}  // namespace
}  // namespace baliza::extract_test
