// End-to-end: OpenLineage events of the transformation commands on their own, configured through
// the OpenLineage clients' environment variables (file transport):
//   - `baliza seed|transform|test|build` on a Baliza project and `baliza dbt
//     build|run|seed|snapshot|test` on a dbt project: every event validates against the official
//     JSON Schemas, the command is the parent run, each seed, model and snapshot executed has
//     START then COMPLETE with what the database holds (rows, columns, tests);
//   - `baliza workflow run`: its build steps' models under the workflow's run;
//   - Ctrl-C (SIGINT) during a transform: the model running ends with ABORT, the command too
//     (exit 130), what had not started emits nothing.
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <set>
#include <thread>

#include "e2e/dbt_fixture.h"
#include "support/child_process.h"
#include "support/openlineage_events.h"

namespace baliza {
namespace {

using nlohmann::json;
using testing::check_command_events;
using testing::CommandEventsSeen;
using testing::read_events;

const char* const kEnv =
    "env -u BALIZA_DB -u OPENLINEAGE_URL -u OPENLINEAGE_DISABLED OPENLINEAGE_NAMESPACE=tests "
    "OPENLINEAGE__TRANSPORT__LOG_FILE_PATH=events.jsonl ";

class OpenLineageCommands : public testing::DbtProject {
 protected:
  // `baliza <args>` with events to events.jsonl (emptied first); returns the events.
  std::vector<json> run_with_events(const std::string& args, int expected_exit = 0) {
    std::filesystem::remove(dir / "events.jsonl");
    auto r = testing::run_command(std::string(kEnv) + BALIZA_BIN + " " + args, dir.path());
    EXPECT_EQ(r.exit_code, expected_exit) << args << "\n" << r.out << r.err;
    std::vector<json> events = read_events(dir / "events.jsonl");
    // On stdout, or on stderr where stdout is a report (workflow --format json).
    EXPECT_NE((r.out + r.err)
                  .find("OpenLineage: " + std::to_string(events.size()) +
                        " event(s) sent to file events.jsonl"),
              std::string::npos)
        << r.out << r.err;
    auto v = testing::validate_events(dir / "events.jsonl");
    EXPECT_EQ(v.exit_code, 0) << args << "\n" << v.out << v.err;
    return events;
  }

  std::string ns(const std::string& db) const {
    return "duckdb://" + std::filesystem::weakly_canonical(dir / db).string();
  }

  void write_baliza_project() {
    std::filesystem::remove(dir / "dbt_project.yml");
    std::filesystem::remove(dir / "profiles.yml");
    write("baliza.yml",
          "name: demo\ndatabase: data/demo.duckdb\nmodels:\n  demo:\n"
          "    staging: {+schema: staging, +materialized: view}\n"
          "    marts: {+schema: marts, +materialized: table}\n");
    write("seeds/customers.csv", "id,name,amount\n1,a,10\n2,b,20\n3,c,30\n");
    write("models/staging/stg_customers.sql",
          "select id, name, amount from {{ ref('customers') }}\n");
    write("models/marts/totals.sql",
          "select name, sum(amount) as total from {{ ref('stg_customers') }} group by name\n");
    write("models/marts/schema.yml",
          "version: 2\nmodels:\n  - name: totals\n    columns:\n      - name: name\n"
          "        data_tests: [not_null, unique]\n");
  }
};

TEST_F(OpenLineageCommands, SeedTransformTestAndBuildOfABalizaProject) {
  write_baliza_project();
  const std::string db_ns = ns("data/demo.duckdb");

  CommandEventsSeen seed = check_command_events(run_with_events("seed"), "demo.seed");
  EXPECT_EQ(seed.command_end, "COMPLETE");
  EXPECT_EQ(seed.job.size(), 1u);
  ASSERT_TRUE(seed.last.count("demo.customers"));
  EXPECT_EQ(seed.last["demo.customers"]["job"]["facets"]["jobType"]["jobType"], "SEED");

  CommandEventsSeen transform =
      check_command_events(run_with_events("transform"), "demo.transform");
  EXPECT_EQ(transform.command_end, "COMPLETE");
  EXPECT_EQ((std::set<std::string>{"demo.stg_customers", "demo.totals"}), [&] {
    std::set<std::string> jobs;
    for (const auto& [name, types] : transform.job) jobs.insert(name);
    return jobs;
  }());
  const json& totals = transform.last["demo.totals"];
  EXPECT_EQ(totals["eventType"], "COMPLETE");
  EXPECT_EQ(totals["outputs"][0]["namespace"], db_ns);
  EXPECT_EQ(totals["outputs"][0]["name"], "marts.totals");
  EXPECT_EQ(totals["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"], 3);
  EXPECT_EQ(totals["inputs"][0]["name"], "staging.stg_customers");
  const json& total_lineage =
      totals["outputs"][0]["facets"]["columnLineage"]["fields"]["total"]["inputFields"];
  ASSERT_EQ(total_lineage.size(), 1u) << totals.dump();
  EXPECT_EQ(total_lineage[0]["field"], "amount");
  EXPECT_EQ(total_lineage[0]["transformations"][0]["subtype"], "AGGREGATION");
  // `transform` runs no tests: no assertions facet.
  EXPECT_FALSE(totals["outputs"][0]["facets"].contains("dataQualityAssertions"));

  // `test` runs tests only: no model runs, the command's own events only.
  CommandEventsSeen test = check_command_events(run_with_events("test"), "demo.test");
  EXPECT_EQ(test.command_end, "COMPLETE");
  EXPECT_TRUE(test.job.empty());

  CommandEventsSeen build = check_command_events(run_with_events("build"), "demo.build");
  EXPECT_EQ(build.command_end, "COMPLETE");
  EXPECT_EQ(build.job.size(), 3u);
  std::set<std::string> asserted;
  for (const json& a :
       build.last["demo.totals"]["outputs"][0]["facets"]["dataQualityAssertions"]["assertions"]) {
    EXPECT_TRUE(a["success"].get<bool>()) << a.dump();
    EXPECT_EQ(a["column"], "name");
    asserted.insert(a["assertion"]);
  }
  EXPECT_EQ(asserted, (std::set<std::string>{"not_null", "unique"}));
}

TEST_F(OpenLineageCommands, AFailingModelEndsWithFailAndTheCommandToo) {
  write_baliza_project();
  write("models/marts/broken.sql", "select no_such_column from {{ ref('stg_customers') }}\n");
  CommandEventsSeen build = check_command_events(run_with_events("build", 1), "demo.build");
  EXPECT_EQ(build.command_end, "FAIL");
  ASSERT_TRUE(build.last.count("demo.broken"));
  const json& broken = build.last["demo.broken"];
  EXPECT_EQ(broken["eventType"], "FAIL");
  EXPECT_NE(
      broken["run"]["facets"]["errorMessage"]["message"].get<std::string>().find("no_such_column"),
      std::string::npos)
      << broken.dump();
  EXPECT_EQ(build.last["demo.totals"]["eventType"], "COMPLETE");
}

TEST_F(OpenLineageCommands, DbtBuildRunSeedSnapshotAndTest) {
  write("seeds/raw_orders.csv", "id,customer,amount\n1,ana,10.5\n2,bia,20\n3,ana,7\n");
  write("models/staging/stg_orders.sql",
        "select id, upper(customer) as customer, amount from {{ ref('raw_orders') }}\n");
  write("models/marts/revenue.sql",
        "select customer, sum(amount) as total from {{ ref('stg_orders') }} group by 1\n");
  write("models/marts/schema.yml",
        "version: 2\nmodels:\n  - name: revenue\n    columns:\n      - name: customer\n"
        "        data_tests: [unique]\n");
  write("snapshots/orders_snapshot.sql",
        "{% snapshot orders_snapshot %}\n"
        "{{ config(target_schema='snapshots', unique_key='id', strategy='check', "
        "check_cols='all') }}\n"
        "select * from {{ ref('raw_orders') }}\n{% endsnapshot %}\n");
  const std::string db_ns = ns("shop.duckdb");

  CommandEventsSeen build = check_command_events(run_with_events("dbt build"), "shop.build");
  EXPECT_EQ(build.command_end, "COMPLETE");
  EXPECT_EQ(build.job.size(), 4u);  // seed, two models, snapshot
  const json& snapshot = build.last["shop.orders_snapshot"];
  EXPECT_EQ(snapshot["eventType"], "COMPLETE");
  EXPECT_EQ(snapshot["job"]["facets"]["jobType"]["jobType"], "SNAPSHOT");
  EXPECT_EQ(snapshot["outputs"][0]["namespace"], db_ns);
  EXPECT_EQ(snapshot["outputs"][0]["name"], "snapshots.orders_snapshot");
  std::set<std::string> snapshot_columns;
  for (const json& f : snapshot["outputs"][0]["facets"]["schema"]["fields"])
    snapshot_columns.insert(f["name"]);
  EXPECT_TRUE(snapshot_columns.count("dbt_valid_from")) << snapshot.dump();
  const json& revenue = build.last["shop.revenue"];
  EXPECT_EQ(revenue["outputs"][0]["name"], "main.revenue");
  EXPECT_EQ(revenue["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"], 2);
  EXPECT_EQ(revenue["outputs"][0]["facets"]["dataQualityAssertions"]["assertions"][0]["assertion"],
            "unique");

  for (const auto& [command, jobs] : std::vector<std::pair<std::string, std::size_t>>{
           {"run", 2}, {"seed", 1}, {"snapshot", 1}, {"test", 0}}) {
    CommandEventsSeen seen =
        check_command_events(run_with_events("dbt " + command), "shop." + command);
    EXPECT_EQ(seen.command_end, "COMPLETE") << command;
    EXPECT_EQ(seen.job.size(), jobs) << command;
    for (const auto& [name, types] : seen.job) EXPECT_EQ(types.back(), "COMPLETE") << name;
  }
}

TEST_F(OpenLineageCommands, AWorkflowsBuildStepsEmitUnderTheWorkflowsRun) {
  write_baliza_project();
  write("workflows/setup.yml",
        "steps:\n  - seed: {}\n  - name: everything\n    build: marts.totals+ +marts.totals\n");
  auto events = run_with_events("workflow run setup");
  CommandEventsSeen seen = check_command_events(events, "demo.workflow");
  EXPECT_EQ(seen.command_end, "COMPLETE");
  ASSERT_TRUE(seen.last.count("demo.totals")) << events.size();
  EXPECT_EQ(seen.last["demo.totals"]["eventType"], "COMPLETE");
  EXPECT_EQ(seen.last["demo.totals"]["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"],
            3);
  EXPECT_TRUE(seen.last.count("demo.stg_customers"));
}

TEST_F(OpenLineageCommands, CtrlCAbortsTheRunningModelAndTheCommand) {
  write_baliza_project();
  // A model that runs until interrupted, and one that waits for it.
  write("models/marts/slow.sql",
        "select count(*) as n from range(1000000000000) a, {{ ref('stg_customers') }}\n");
  write("models/marts/after_slow.sql", "select n from {{ ref('slow') }}\n");
  setenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH", "events.jsonl", 1);
  setenv("OPENLINEAGE_NAMESPACE", "tests", 1);
  unsetenv("OPENLINEAGE_URL");
  unsetenv("OPENLINEAGE_DISABLED");
  unsetenv("BALIZA_DB");
  testing::Child child(dir.path(), {"transform", "--threads", "2"}, "transform");
  // Wait until the slow model's START is written (events are written as they are emitted).
  bool started = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!started && std::chrono::steady_clock::now() < deadline) {
    for (const json& e : read_events(dir / "events.jsonl"))
      started |= e["job"]["name"] == "demo.slow" && e["eventType"] == "START";
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(started) << child.err();
  child.signal(SIGINT);
  EXPECT_EQ(child.wait(), 130) << child.out() << child.err();
  unsetenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH");
  unsetenv("OPENLINEAGE_NAMESPACE");
  EXPECT_NE(child.err().find("interrupted"), std::string::npos) << child.err();

  auto v = testing::validate_events(dir / "events.jsonl");
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  CommandEventsSeen seen =
      check_command_events(read_events(dir / "events.jsonl"), "demo.transform");
  EXPECT_EQ(seen.command_end, "ABORT");
  ASSERT_TRUE(seen.last.count("demo.slow"));
  EXPECT_EQ(seen.last["demo.slow"]["eventType"], "ABORT");
  EXPECT_NE(
      seen.last["demo.slow"]["run"]["facets"]["errorMessage"]["message"].get<std::string>().find(
          "interrupted"),
      std::string::npos);
  EXPECT_EQ(seen.last["demo.stg_customers"]["eventType"], "COMPLETE");
  EXPECT_FALSE(seen.job.count("demo.after_slow")) << "a model that never started has no events";
  // The run was recorded as such: nothing of the slow model was built.
  EXPECT_EQ(scalar("data/demo.duckdb",
                   "select count(*) from duckdb_tables() where table_name in ('slow', "
                   "'after_slow')"),
            "0");
}

}  // namespace
}  // namespace baliza
