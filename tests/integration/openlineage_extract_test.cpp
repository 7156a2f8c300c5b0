// OpenLineage events of the extraction commands run as a user runs them (the baliza binary
// against the in-process simulator, events to a file through the OpenLineage clients'
// environment variables): `extract`, `retry-failed`, Ctrl-C during `extract`, and `worker`
// against a real PostgreSQL coordinator. Every event validates against the official JSON
// Schemas; each endpoint extracted is a run (START, then COMPLETE / FAIL / ABORT) under the
// command's run, with the API endpoint as input and the raw tables as outputs.
#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <thread>

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

class OpenLineageExtract : public Extraction {
 protected:
  void SetUp() override {
    Extraction::SetUp();
    close_db();  // the children own the database file
    setenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH", "events.jsonl", 1);
    unsetenv("OPENLINEAGE_URL");
    unsetenv("OPENLINEAGE_DISABLED");
    unsetenv("OPENLINEAGE_NAMESPACE");
    unsetenv("BALIZA_COORDINATOR_URL");
  }
  void TearDown() override { unsetenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH"); }

  void write_endpoints(const std::string& rate) {
    std::ofstream(dir / "endpoints.yaml") << kFastDefaults << "  rate_limit: " << rate << R"(
endpoints:
  - name: contratos
    page_size: 10
)";
  }
  std::vector<std::string> month(const std::string& command) const {
    return {"--db",       db_path(),      command,
            "--mes",      "2024-01",      "--endpoint",
            "contratos",  "--endpoint",   "contratacoes_publicacao",
            "--base-url", sim->base_url()};
  }
  std::string db_path() const { return (dir / "baliza.duckdb").string(); }
  std::string db_ns() const {
    return "duckdb://" + std::filesystem::weakly_canonical(dir / "baliza.duckdb").string();
  }

  // The events file, validated and checked for the command's shape; emptied for the next one.
  CommandEventsSeen events_of(const std::string& command_job) {
    auto v = testing::validate_events(dir / "events.jsonl");
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    CommandEventsSeen seen = check_command_events(read_events(dir / "events.jsonl"), command_job);
    std::filesystem::remove(dir / "events.jsonl");
    return seen;
  }

  std::int64_t pages(const std::string& endpoint) {
    open_db();
    std::int64_t n =
        count("SELECT count(*) FROM raw.api_requests WHERE endpoint = '" + endpoint + "'");
    close_db();
    return n;
  }
};

TEST_F(OpenLineageExtract, ExtractThenRetryFailed) {
  pncp_sim::Options o = small_sim();
  pncp_sim::FaultConfig fault;
  fault.kind = pncp_sim::FaultKind::fail_first;  // each first page of contratos fails once
  fault.endpoint = "/v1/contratos";
  fault.match = "pagina=1&";
  fault.status = 422;
  fault.count = 1;
  o.faults.push_back(fault);
  start_sim(o);
  write_endpoints("{requests_per_second: 2000, burst: 50}");

  Child extract(dir.path(), month("extract"), "extract");
  ASSERT_EQ(extract.wait(), 1) << extract.err();
  EXPECT_NE(extract.out().find("OpenLineage: "), std::string::npos) << extract.out();
  CommandEventsSeen first = events_of("pncp.extract");
  EXPECT_EQ(first.command_end, "FAIL");
  ASSERT_EQ(first.job.size(), 2u);
  const json& failed = first.last["pncp.extract.contratos"];
  EXPECT_EQ(failed["eventType"], "FAIL");
  EXPECT_NE(
      failed["run"]["facets"]["errorMessage"]["message"].get<std::string>().find("task(s) failed"),
      std::string::npos);
  const json& done = first.last["pncp.extract.contratacoes_publicacao"];
  EXPECT_EQ(done["eventType"], "COMPLETE");
  EXPECT_EQ(done["job"]["facets"]["jobType"]["jobType"], "EXTRACTION");
  EXPECT_EQ(done["inputs"][0]["namespace"],
            sim->base_url().substr(0, sim->base_url().find('/', 7)));
  EXPECT_NE(done["inputs"][0]["name"].get<std::string>().find("/contratacoes/publicacao"),
            std::string::npos)
      << done.dump();
  EXPECT_EQ(done["outputs"][0]["namespace"], db_ns());
  EXPECT_EQ(done["outputs"][0]["name"], "raw.api_requests");
  EXPECT_EQ(done["outputs"][1]["name"], "raw.payloads");
  EXPECT_EQ(done["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"].get<std::int64_t>(),
            pages("contratacoes_publicacao"));

  // retry-failed: only the endpoint with failed tasks is extracted again.
  Child retry(dir.path(),
              {"--db", db_path(), "retry-failed", "2024-01", "--base-url", sim->base_url()},
              "retry");
  ASSERT_EQ(retry.wait(), 0) << retry.err();
  CommandEventsSeen again = events_of("pncp.retry-failed");
  EXPECT_EQ(again.command_end, "COMPLETE");
  ASSERT_EQ(again.job.size(), 1u);
  ASSERT_TRUE(again.last.count("pncp.extract.contratos"));
  EXPECT_EQ(again.last["pncp.extract.contratos"]["eventType"], "COMPLETE");
  EXPECT_GT(again
                .last["pncp.extract.contratos"]["outputs"][0]["outputFacets"]["outputStatistics"]
                     ["rowCount"]
                .get<std::int64_t>(),
            0);
}

TEST_F(OpenLineageExtract, CtrlCAbortsTheEndpointsRunsAndTheCommand) {
  start_sim();
  write_endpoints("{requests_per_second: 100, burst: 2}");
  Child extract(dir.path(), month("extract"), "extract");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (sim->stats().total_requests < 40 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(sim->stats().total_requests, 40u);
  extract.signal(SIGINT);
  ASSERT_EQ(extract.wait(), 130) << extract.err();
  CommandEventsSeen seen = events_of("pncp.extract");
  EXPECT_EQ(seen.command_end, "ABORT");
  ASSERT_FALSE(seen.job.empty());
  for (const auto& [name, event] : seen.last) {
    EXPECT_EQ(event["eventType"], "ABORT") << name;
    EXPECT_NE(
        event["run"]["facets"]["errorMessage"]["message"].get<std::string>().find("interrupted"),
        std::string::npos);
  }
}

TEST_F(OpenLineageExtract, WorkerOutputsAreTheCoordinatorsTables) {
  testing::PostgresServer pg;
  ASSERT_TRUE(pg.ok());
  setenv("BALIZA_COORDINATOR_URL", pg.url().c_str(), 1);
  start_sim();
  write_endpoints("{requests_per_second: 2000, burst: 50}");
  Child plan(dir.path(), {"--db", db_path(), "plan", "--mes", "2024-01", "--endpoint", "contratos"},
             "plan");
  ASSERT_EQ(plan.wait(), 0) << plan.err();
  std::filesystem::remove(dir / "events.jsonl");  // planning emits nothing
  Child worker(dir.path(),
               {"worker", "--once", "--worker-id", "w1", "--mes", "2024-01", "--endpoint",
                "contratos", "--base-url", sim->base_url()},
               "worker");
  ASSERT_EQ(worker.wait(), 0) << worker.err();
  unsetenv("BALIZA_COORDINATOR_URL");
  CommandEventsSeen seen = events_of("pncp.worker");
  EXPECT_EQ(seen.command_end, "COMPLETE");
  ASSERT_EQ(seen.job.size(), 1u);
  const json& done = seen.last["pncp.extract.contratos"];
  EXPECT_EQ(done["eventType"], "COMPLETE");
  // pg.url() is a socket folder on this machine, database postgres.
  EXPECT_EQ(done["outputs"][0]["namespace"], "postgres://localhost:5432");
  EXPECT_EQ(done["outputs"][0]["name"], "postgres.baliza.api_requests");
  EXPECT_EQ(done["outputs"][1]["name"], "postgres.baliza.payloads");
  EXPECT_EQ(
      std::to_string(
          done["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"].get<std::int64_t>()),
      pg.scalar("SELECT count(*) FROM baliza.api_requests WHERE endpoint = 'contratos'"));
}

}  // namespace
}  // namespace baliza::extract_test
