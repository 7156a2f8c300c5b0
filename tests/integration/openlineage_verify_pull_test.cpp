// OpenLineage events of `verify` and `pull` run as a user runs them (the baliza binary, events to
// a file through the OpenLineage clients' environment variables): each command is a run with one
// child run (`pncp.verify.pages`, `pncp.pull.coordinator`) that names the datasets it reads and
// writes and ends COMPLETE with the rows it wrote, FAIL with why, or ABORT (exit 130) when
// Ctrl-C or SIGTERM stops it. Every event validates against the official JSON Schemas.
#include <stdlib.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "coord/worker.h"
#include "integration/extract_test_support.h"
#include "support/child_process.h"
#include "support/openlineage_events.h"
#include "support/postgres_server.h"

namespace baliza::extract_test {
namespace {

using nlohmann::json;
using testing::check_command_events;
using testing::Child;
using testing::CommandEventsSeen;
using testing::read_events;

class OpenLineageVerifyPull : public Extraction {
 protected:
  void SetUp() override {
    Extraction::SetUp();
    close_db();  // the children own the database file
    setenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH", "events.jsonl", 1);
    unsetenv("OPENLINEAGE_URL");
    unsetenv("OPENLINEAGE_DISABLED");
    unsetenv("OPENLINEAGE_NAMESPACE");
    unsetenv("BALIZA_COORDINATOR_URL");
    std::ofstream(dir / "endpoints.yaml") << kFastDefaults << R"(
endpoints:
  - name: contratos
    page_size: 10
)";
  }
  void TearDown() override {
    unsetenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH");
    unsetenv("BALIZA_COORDINATOR_URL");
  }
  std::string db_path() const { return (dir / "baliza.duckdb").string(); }
  std::string db_ns() const {
    return "duckdb://" + std::filesystem::weakly_canonical(dir / "baliza.duckdb").string();
  }
  CommandEventsSeen events_of(const std::string& command_job) {
    auto v = testing::validate_events(dir / "events.jsonl");
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    CommandEventsSeen seen = check_command_events(read_events(dir / "events.jsonl"), command_job);
    std::filesystem::remove(dir / "events.jsonl");
    return seen;
  }
  std::int64_t local(const std::string& sql) {
    open_db();
    std::int64_t n = count(sql);
    close_db();
    return n;
  }
  static std::int64_t rows_of(const json& dataset) {
    return dataset["outputFacets"]["outputStatistics"]["rowCount"].get<std::int64_t>();
  }
};

TEST_F(OpenLineageVerifyPull, VerifyNamesThePagesItChecksAndFailsOnAChange) {
  start_sim();
  Child extract(dir.path(),
                {"--db", db_path(), "extract", "--mes", "2024-01", "--endpoint", "contratos",
                 "--base-url", sim->base_url()},
                "extract");
  ASSERT_EQ(extract.wait(), 0) << extract.err();
  std::filesystem::remove(dir / "events.jsonl");

  // Every stored page is what the API serves: COMPLETE, one verification row per page checked.
  Child same(dir.path(),
             {"--db", db_path(), "verify", "--range", "2024-01-01:2024-01-04", "--endpoint",
              "contratos", "--base-url", sim->base_url()},
             "verify");
  ASSERT_EQ(same.wait(), 0) << same.out() << same.err();
  EXPECT_NE(same.out().find("OpenLineage: "), std::string::npos) << same.out();
  CommandEventsSeen ok = events_of("pncp.verify");
  EXPECT_EQ(ok.command_end, "COMPLETE");
  ASSERT_EQ(ok.job.size(), 1u);
  const json& done = ok.last["pncp.verify.pages"];
  EXPECT_EQ(done["eventType"], "COMPLETE");
  EXPECT_EQ(done["job"]["facets"]["jobType"]["jobType"], "VERIFICATION");
  EXPECT_EQ(done["inputs"][0]["namespace"], db_ns());
  EXPECT_EQ(done["inputs"][0]["name"], "raw.api_requests");
  EXPECT_EQ(done["inputs"][1]["name"], "raw.payloads");
  ASSERT_EQ(done["inputs"].size(), 3u) << done.dump(2);  // the one endpoint asked for
  EXPECT_EQ(done["inputs"][2]["namespace"],
            sim->base_url().substr(0, sim->base_url().find('/', 7)));
  EXPECT_NE(done["inputs"][2]["name"].get<std::string>().find("/contratos"), std::string::npos);
  EXPECT_EQ(done["outputs"][0]["name"], "meta.verifications");
  const std::int64_t checked = local("SELECT count(*) FROM meta.verifications");
  ASSERT_GT(checked, 0);
  EXPECT_EQ(rows_of(done["outputs"][0]), checked);
  EXPECT_EQ(rows_of(done["outputs"][1]), 0);  // no changed body stored

  // The API's data moved (another seed): the pages changed, exit 1, FAIL with the counts.
  auto other = small_sim();
  other.seed = 4242;
  start_sim(other);
  Child changed(dir.path(),
                {"--db", db_path(), "verify", "--range", "2024-01-01:2024-01-04", "--endpoint",
                 "contratos", "--base-url", sim->base_url()},
                "verify");
  ASSERT_EQ(changed.wait(), 1) << changed.out() << changed.err();
  CommandEventsSeen bad = events_of("pncp.verify");
  EXPECT_EQ(bad.command_end, "FAIL");
  const json& failed = bad.last["pncp.verify.pages"];
  EXPECT_EQ(failed["eventType"], "FAIL");
  const std::string message = failed["run"]["facets"]["errorMessage"]["message"];
  EXPECT_NE(message.find("changed"), std::string::npos) << message;
  EXPECT_EQ(rows_of(failed["outputs"][0]),
            local("SELECT count(*) FROM meta.verifications") - checked);
  EXPECT_EQ(rows_of(failed["outputs"][1]),
            local("SELECT count(*) FROM meta.verifications WHERE outcome = 'changed' AND "
                  "fetched_request_id IS NOT NULL"));
}

TEST_F(OpenLineageVerifyPull, PullReadsTheCoordinatorAndWritesTheLocalTables) {
  testing::PostgresServer pg;
  ASSERT_TRUE(pg.ok());
  setenv("BALIZA_COORDINATOR_URL", pg.url().c_str(), 1);
  start_sim();
  Child plan(dir.path(), {"--db", db_path(), "plan", "--mes", "2024-01", "--endpoint", "contratos"},
             "plan");
  ASSERT_EQ(plan.wait(), 0) << plan.err();
  Child worker(dir.path(),
               {"worker", "--once", "--worker-id", "w1", "--mes", "2024-01", "--endpoint",
                "contratos", "--base-url", sim->base_url()},
               "worker");
  ASSERT_EQ(worker.wait(), 0) << worker.err();
  std::filesystem::remove(dir / "events.jsonl");

  Child pull(dir.path(), {"--db", db_path(), "pull"}, "pull");
  ASSERT_EQ(pull.wait(), 0) << pull.out() << pull.err();
  CommandEventsSeen seen = events_of("pncp.pull");
  EXPECT_EQ(seen.command_end, "COMPLETE");
  ASSERT_EQ(seen.job.size(), 1u);
  const json& done = seen.last["pncp.pull.coordinator"];
  EXPECT_EQ(done["eventType"], "COMPLETE");
  // pg.url() is a socket folder on this machine, database postgres.
  EXPECT_EQ(done["inputs"][0]["namespace"], "postgres://localhost:5432");
  EXPECT_EQ(done["inputs"][0]["name"], "postgres.baliza.api_requests");
  EXPECT_EQ(done["inputs"][1]["name"], "postgres.baliza.payloads");
  EXPECT_EQ(done["outputs"][0]["namespace"], db_ns());
  EXPECT_EQ(done["outputs"][0]["name"], "raw.api_requests");
  const std::int64_t requests = local("SELECT count(*) FROM raw.api_requests");
  ASSERT_GT(requests, 0);
  EXPECT_EQ(std::to_string(rows_of(done["outputs"][0])),
            pg.scalar("SELECT count(*) FROM baliza.api_requests"));
  EXPECT_EQ(rows_of(done["outputs"][0]), requests);
  EXPECT_EQ(rows_of(done["outputs"][1]), local("SELECT count(*) FROM raw.payloads"));
  EXPECT_EQ(done["outputs"][3]["name"], "runtime.task_results");
  EXPECT_EQ(rows_of(done["outputs"][3]), local("SELECT count(*) FROM runtime.task_results"));

  // A second pull copies nothing new: COMPLETE with zero rows.
  Child again(dir.path(), {"--db", db_path(), "pull"}, "pull");
  ASSERT_EQ(again.wait(), 0) << again.err();
  CommandEventsSeen second = events_of("pncp.pull");
  EXPECT_EQ(rows_of(second.last["pncp.pull.coordinator"]["outputs"][0]), 0);

  // A coordinator that is not there: exit 3 (environment), FAIL naming the error.
  setenv("BALIZA_COORDINATOR_URL", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", 1);
  Child down(dir.path(), {"--db", db_path(), "pull"}, "pull");
  EXPECT_NE(down.wait(), 0);
  CommandEventsSeen gone = events_of("pncp.pull");
  EXPECT_EQ(gone.command_end, "FAIL");
  EXPECT_EQ(gone.last["pncp.pull.coordinator"]["eventType"], "FAIL");
  EXPECT_FALSE(gone.last["pncp.pull.coordinator"]["run"]["facets"]["errorMessage"]["message"]
                   .get<std::string>()
                   .empty());
}

// Ctrl-C during verify: the pages on the wire finish, those checked are stored (and only
// those), the exit code is 130, the pages' run and the command end ABORT saying how many of the
// selected pages were checked; a rerun checks them all.
TEST_F(OpenLineageVerifyPull, CtrlCAbortsVerifyWithThePagesCheckedSoFar) {
  start_sim();
  Child extract(dir.path(),
                {"--db", db_path(), "extract", "--mes", "2024-01", "--endpoint", "contratos",
                 "--base-url", sim->base_url()},
                "extract");
  ASSERT_EQ(extract.wait(), 0) << extract.err();
  const std::int64_t stored = local(
      "SELECT count(*) FROM runtime.task_results r JOIN raw.api_requests a USING (request_id) "
      "WHERE r.superseded_at IS NULL AND a.payload_sha256 IS NOT NULL");
  ASSERT_GE(stored, 20);
  std::filesystem::remove(dir / "events.jsonl");

  // Slow enough that the interrupt comes while most pages are still to be asked.
  std::ofstream(dir / "endpoints.yaml") << R"(
defaults:
  concurrency: 1
  rate_limit: {requests_per_second: 4, burst: 1}
endpoints:
  - name: contratos
    page_size: 10
)";
  const std::uint64_t before = sim->stats().total_requests;
  Child verify(dir.path(),
               {"--db", db_path(), "verify", "--range", "2024-01-01:2024-01-31", "--endpoint",
                "contratos", "--base-url", sim->base_url()},
               "verify");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (sim->stats().total_requests < before + 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(sim->stats().total_requests, before + 3);
  verify.signal(SIGINT);
  ASSERT_EQ(verify.wait(), 130) << verify.out() << verify.err();

  const std::int64_t checked = local("SELECT count(*) FROM meta.verifications");
  EXPECT_GE(checked, 3);
  EXPECT_LT(checked, stored);
  EXPECT_NE(verify.out().find("interrupted: " + std::to_string(checked) + " of " +
                              std::to_string(stored) + " selected page(s) checked"),
            std::string::npos)
      << verify.out();
  CommandEventsSeen seen = events_of("pncp.verify");  // validated against the schemas
  EXPECT_EQ(seen.command_end, "ABORT");
  ASSERT_EQ(seen.job.size(), 1u);
  const json& pages = seen.last["pncp.verify.pages"];
  EXPECT_EQ(pages["eventType"], "ABORT");
  EXPECT_EQ(rows_of(pages["outputs"][0]), checked);
  const std::string message = pages["run"]["facets"]["errorMessage"]["message"];
  EXPECT_NE(message.find("interrupted after " + std::to_string(checked) + " of " +
                         std::to_string(stored)),
            std::string::npos)
      << message;

  // Run again without interruption: every page is checked, COMPLETE.
  std::ofstream(dir / "endpoints.yaml") << kFastDefaults << R"(
endpoints:
  - name: contratos
    page_size: 10
)";
  Child again(dir.path(),
              {"--db", db_path(), "verify", "--range", "2024-01-01:2024-01-31", "--endpoint",
               "contratos", "--base-url", sim->base_url()},
              "verify");
  ASSERT_EQ(again.wait(), 0) << again.out() << again.err();
  EXPECT_EQ(local("SELECT count(*) FROM meta.verifications"), checked + stored);
  EXPECT_EQ(events_of("pncp.verify").command_end, "COMPLETE");
}

// SIGTERM during pull: the coordinator's task table is held by a lock, so the pull has copied
// the pages and waits to read the statuses when the signal comes. It stops there: exit 130, the
// copy and the command end ABORT, the pages copied stay, no status or result is written and the
// watermark does not move; the next pull copies the rest and ends COMPLETE.
TEST_F(OpenLineageVerifyPull, SigtermAbortsPullAndTheNextPullCopiesTheRest) {
  testing::PostgresServer pg;
  ASSERT_TRUE(pg.ok());
  setenv("BALIZA_COORDINATOR_URL", pg.url().c_str(), 1);
  start_sim();
  Child plan(dir.path(), {"--db", db_path(), "plan", "--mes", "2024-01", "--endpoint", "contratos"},
             "plan");
  ASSERT_EQ(plan.wait(), 0) << plan.err();
  Child worker(dir.path(),
               {"worker", "--once", "--worker-id", "w1", "--mes", "2024-01", "--endpoint",
                "contratos", "--base-url", sim->base_url()},
               "worker");
  ASSERT_EQ(worker.wait(), 0) << worker.err();
  std::filesystem::remove(dir / "events.jsonl");
  const std::int64_t results_before = local("SELECT count(*) FROM runtime.task_results");

  auto holder = coord::connect_coordinator(pg.url());
  holder->exec("BEGIN");
  holder->exec("LOCK TABLE baliza.task_plan IN ACCESS EXCLUSIVE MODE");
  Child pull(dir.path(), {"--db", db_path(), "pull"}, "pull");
  // Wait until the pull waits for the lock on its read of the task statuses.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string waiting = "0";
  while (waiting == "0" && std::chrono::steady_clock::now() < deadline) {
    waiting = pg.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE "
        "'%FROM baliza.task_plan WHERE xid%'");
    if (waiting == "0") std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(waiting, "1");
  pull.signal(SIGTERM);  // the handler runs before the pull executes anything more
  holder->exec("COMMIT");
  ASSERT_EQ(pull.wait(), 130) << pull.out() << pull.err();
  const std::int64_t requests = local("SELECT count(*) FROM raw.api_requests");
  EXPECT_EQ(std::to_string(requests), pg.scalar("SELECT count(*) FROM baliza.api_requests"));
  EXPECT_EQ(local("SELECT count(*) FROM runtime.task_results"), results_before);
  EXPECT_EQ(local("SELECT count(*) FROM meta.coordinator_pulls"), 0);
  EXPECT_NE(pull.out().find("interrupted: " + std::to_string(requests) + " request(s)"),
            std::string::npos)
      << pull.out();
  CommandEventsSeen seen = events_of("pncp.pull");  // validated against the schemas
  EXPECT_EQ(seen.command_end, "ABORT");
  ASSERT_EQ(seen.job.size(), 1u);
  const json& copy = seen.last["pncp.pull.coordinator"];
  EXPECT_EQ(copy["eventType"], "ABORT");
  EXPECT_EQ(rows_of(copy["outputs"][0]), requests);
  EXPECT_EQ(rows_of(copy["outputs"][3]), 0);  // no result row written
  EXPECT_NE(copy["run"]["facets"]["errorMessage"]["message"].get<std::string>().find("interrupted"),
            std::string::npos);

  Child again(dir.path(), {"--db", db_path(), "pull"}, "pull");
  ASSERT_EQ(again.wait(), 0) << again.out() << again.err();
  EXPECT_EQ(events_of("pncp.pull").command_end, "COMPLETE");
  EXPECT_EQ(std::to_string(local("SELECT count(*) FROM runtime.task_results")),
            pg.scalar("SELECT count(*) FROM baliza.task_results"));
  EXPECT_EQ(local("SELECT count(*) FROM raw.api_requests"), requests);
  EXPECT_EQ(local("SELECT count(*) FROM meta.coordinator_pulls"), 1);
}

}  // namespace
}  // namespace baliza::extract_test
