// The baliza binary as a child process against the in-process simulator: killed with -9 in
// the middle of an extraction, or interrupted with SIGINT (once, then twice), and run again.
// Either way the rerun converges: every page stored once, records equal the ground truth.
#include <signal.h>

#include <fstream>
#include <thread>

#include "integration/extract_test_support.h"
#include "support/child_process.h"

namespace baliza::extract_test {
namespace {

using testing::Child;

class ExtractProcess : public Extraction {
 protected:
  void SetUp() override {
    // The child owns the database file; the test opens it only between runs.
    start_sim();
    std::ofstream(dir / "endpoints.yaml") << kFastDefaults << R"(
  rate_limit: {requests_per_second: 150, burst: 5}
endpoints:
  - name: contratos
    page_size: 10
)";
  }
  std::vector<std::string> args() const {
    return {"--db",
            (dir / "baliza.duckdb").string(),
            "extract",
            "--mes",
            "2024-01",
            "--endpoint",
            "contratos",
            "--endpoint",
            "contratacoes_publicacao",
            "--base-url",
            sim->base_url()};
  }
  // Waits until the simulator has answered `n` requests of the child.
  void wait_for_requests(std::uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (sim->stats().total_requests < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GE(sim->stats().total_requests, n);
  }
  // After a complete rerun: ground truth, no page twice, nothing left claimed.
  void expect_converged() {
    open_db();
    const std::vector<std::string> endpoints{"contratos", "contratacoes_publicacao"};
    EXPECT_EQ(stored_counts(false), truth(config(), endpoints, "20240101", "20240131"));
    EXPECT_EQ(stored_counts(true), truth(config(), endpoints, "20240101", "20240131"));
    EXPECT_EQ(duplicate_pages(), 0);
    EXPECT_EQ(count("SELECT count(*) FROM (SELECT task_id, page FROM raw.api_requests GROUP BY "
                    "ALL HAVING count(*) > 1)"),
              0)
        << "a page was fetched and stored twice";
    EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status <> 'done'"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM runtime.task_claims WHERE status = 'active'"), 0);
    close_db();
  }
};

TEST_F(ExtractProcess, KillNineThenRerun) {
  close_db();
  {
    Child child(dir.path(), args());
    wait_for_requests(120);
    child.signal(SIGKILL);
    EXPECT_EQ(child.wait(), 128 + SIGKILL);
  }
  open_db();
  const std::int64_t stored = count("SELECT count(*) FROM runtime.task_results");
  EXPECT_GT(count("SELECT count(*) FROM planning.task_plan WHERE status <> 'done'"), 0);
  EXPECT_EQ(
      count("SELECT count(*) FROM runtime.task_claims WHERE status = 'active'") > 0 || stored > 0,
      true);
  close_db();
  Child rerun(dir.path(), args());
  const int code = rerun.wait();
  ASSERT_EQ(code, 0) << rerun.err();
  EXPECT_NE(rerun.err().find("released claims left by a process that died"), std::string::npos)
      << rerun.err();
  expect_converged();
}

TEST_F(ExtractProcess, CtrlCReleasesClaimsThenRerunCompletes) {
  close_db();
  {
    Child child(dir.path(), args());
    wait_for_requests(120);
    child.signal(SIGINT);
    EXPECT_EQ(child.wait(), 130) << child.err();
    EXPECT_NE(child.out().find("interrupted"), std::string::npos) << child.out();
    EXPECT_NE(child.out().find("contratos"), std::string::npos) << "no summary";
  }
  open_db();
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_claims WHERE status = 'active'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'claimed'"), 0);
  EXPECT_GT(count("SELECT count(*) FROM planning.task_plan WHERE status = 'pending'"), 0);
  EXPECT_GT(count("SELECT count(*) FROM planning.task_events WHERE event = 'released'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM meta.execution_log WHERE status = 'interrupted'"), 1);
  close_db();
  Child rerun(dir.path(), args());
  ASSERT_EQ(rerun.wait(), 0) << rerun.err();
  expect_converged();
}

TEST_F(ExtractProcess, SecondCtrlCExitsAtOnce) {
  close_db();
  {
    Child child(dir.path(), args());
    wait_for_requests(120);
    child.signal(SIGINT);
    child.signal(SIGINT);
    EXPECT_EQ(child.wait(), 130);
  }
  Child rerun(dir.path(), args());
  ASSERT_EQ(rerun.wait(), 0) << rerun.err();
  expect_converged();
}

}  // namespace
}  // namespace baliza::extract_test
