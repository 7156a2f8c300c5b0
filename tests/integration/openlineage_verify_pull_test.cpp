// OpenLineage events of `verify` and `pull` run as a user runs them (the baliza binary, events to
// a file through the OpenLineage clients' environment variables): each command is a run with one
// child run (`pncp.verify.pages`, `pncp.pull.coordinator`) that names the datasets it reads and
// writes and ends COMPLETE with the rows it wrote, or FAIL with why. Every event validates
// against the official JSON Schemas.
#include <stdlib.h>

#include <fstream>

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

}  // namespace
}  // namespace baliza::extract_test
