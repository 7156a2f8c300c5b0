// End-to-end: `baliza workflow list|run|status` on the example project
// (projects/examples/workforce) copied into a temporary folder, with a real DuckDB file.
// Expected values are computed here from the seed CSV files, not by Baliza.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/baliza_cli.h"

namespace baliza {
namespace {
namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The rows of a CSV file without its header, split on commas (the example's seeds have no
// quoted fields).
std::vector<std::vector<std::string>> csv_rows(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) fields.push_back(f);
    rows.push_back(fields);
  }
  return rows;
}

class Workflow : public testing::BalizaCli {
 protected:
  void SetUp() override {
    fs::copy(fs::path(BALIZA_SOURCE_DIR) / "projects/examples/workforce", dir.path(),
             fs::copy_options::recursive);
    fs::remove_all(dir / "data");
    fs::remove_all(dir / "target");
  }
  void write(const std::string& path, const std::string& content) {
    fs::path p = dir / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  std::string q(const std::string& sql) { return scalar("data/workforce.duckdb", sql); }
  // "schema.name" of every relation outside Baliza's schemas, sorted, one per line.
  std::string relations() {
    return q(
        "select coalesce(string_agg(schema_name || '.' || table_name, ' ' order by 1), '') "
        "from (select schema_name, table_name from duckdb_tables() union all "
        "select schema_name, view_name from duckdb_views() where not internal) "
        "where schema_name not in ('meta', 'lineage', 'raw', 'planning', 'runtime')");
  }
};

TEST_F(Workflow, ListNamesTheStepsOfEachWorkflow) {
  auto r = baliza("workflow list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "setup  (workflows/setup.yml:2)")) << r.out;
  EXPECT_TRUE(contains(r.out, "3. foundation (build)")) << r.out;
  EXPECT_TRUE(contains(r.out, "6. export_rates (run)")) << r.out;
}

TEST_F(Workflow, SetupRunsEndToEndAndEqualsValuesComputedFromTheSeeds) {
  auto r = baliza("workflow run setup --format json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["status"], "ok");
  ASSERT_EQ(report["steps"].size(), 6u);
  for (const auto& step : report["steps"]) EXPECT_EQ(step["status"], "ok") << step.dump();

  // Seeds in dependency order: census after config_departments (relationships test) and
  // config_levels (declared); every rate table after config_levels (relationships tests).
  std::vector<std::string> order = report["steps"][1]["detail"]["order"];
  auto pos = [&](const std::string& s) {
    return std::find(order.begin(), order.end(), s) - order.begin();
  };
  ASSERT_EQ(order.size(), 6u);
  EXPECT_LT(pos("config_departments"), pos("census"));
  EXPECT_LT(pos("config_levels"), pos("census"));
  EXPECT_LT(pos("config_levels"), pos("config_raise_rates"));
  EXPECT_LT(pos("config_levels"), pos("config_termination_rates"));

  // The census as the CSV says: rows and payroll.
  auto census = csv_rows(dir / "seeds/census.csv");
  long long payroll = 0;
  for (const auto& row : census) payroll += std::stoll(row[3]);
  EXPECT_EQ(q("select count(*) || ' ' || sum(salary) from stg_census"),
            std::to_string(census.size()) + " " + std::to_string(payroll));
  EXPECT_EQ(report["steps"][1]["rows"], 524);  // 500 + 4 + 5 * 4 seed rows
  // int_level_rates joins the four level files.
  std::map<std::string, std::string> raise;
  for (const auto& row : csv_rows(dir / "seeds/config_raise_rates.csv")) raise[row[0]] = row[1];
  for (const auto& row : csv_rows(dir / "seeds/config_levels.csv")) {
    EXPECT_EQ(
        q("select base_salary || ' ' || raise_bp from int_level_rates where level = " + row[0]),
        row[2] + " " + raise[row[0]]);
  }
  // The run step wrote the export (header + 5 levels), and the run is kept for the UI.
  EXPECT_EQ(csv_rows(dir / "target/exports/level_rates.csv").size(), 5u);
  EXPECT_EQ(q("select status || ' ' || steps from meta.workflow_runs"), "ok 6");
  EXPECT_EQ(q("select string_agg(step || ':' || status, ' ' order by position) from "
              "meta.workflow_steps"),
            "clear:ok seed:ok foundation:ok configuration:ok validate:ok export_rates:ok");
  // Text report: one line per step with its time and rows.
  r = baliza("-q workflow run setup");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "workflow setup: ok in ")) << r.out;
  EXPECT_TRUE(contains(r.out, "seed           seed      ok")) << r.out;
}

TEST_F(Workflow, ClearDropsExactlyTheMatchingRelations) {
  ASSERT_EQ(baliza("-q workflow run setup").exit_code, 0);
  std::string setup_sql =
      "create schema other; create table other.stg_other as select 1 x; "
      "create view main.fct_view as select 1 x; create table main.my_stg as select 1 x; "
      "create table main.stgx as select 1 x; create table meta.stg_meta as select 1 x; "
      "create table raw.int_raw as select 1 x";
  auto r = baliza("--db data/workforce.duckdb query \"" + setup_sql + "\"");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string matching =
      "main.fct_view main.int_department_hiring main.int_level_rates main.stg_census "
      "main.stg_departments main.stg_levels other.stg_other";
  r = baliza("workflow run setup --only clear --dry-run --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json listed = nlohmann::json::parse(r.out)["steps"][0]["detail"]["relations"];
  std::string names;
  for (const auto& n : listed) {
    if (!names.empty()) names += " ";
    names += n.get<std::string>();
  }
  EXPECT_EQ(names, matching);
  EXPECT_TRUE(contains(relations(), "main.stg_census")) << "a dry run drops nothing";

  r = baliza("workflow run setup --only clear");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // What is left: the seeds, the relations no pattern matches, Baliza's own schemas.
  EXPECT_EQ(relations(),
            "main.census main.config_departments main.config_levels main.config_promotion_rates "
            "main.config_raise_rates main.config_termination_rates main.my_stg main.stgx");
  EXPECT_EQ(q("select count(*) from meta.stg_meta") + q("select count(*) from raw.int_raw"), "11");
}

TEST_F(Workflow, SeedDependencyCycleIsAUsageErrorNamingIt) {
  // config_raise_rates -> config_levels is inferred (relationships test); the reverse is declared.
  write("workflows/cycle.yml",
        "steps:\n  - seed:\n      depends_on:\n        config_levels: [config_raise_rates]\n");
  auto r = baliza("workflow run cycle");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "seed dependency cycle: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "config_levels -> config_raise_rates -> config_levels") ||
              contains(r.err, "config_raise_rates -> config_levels -> config_raise_rates"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "relationships test")) << r.err;
  EXPECT_TRUE(contains(r.err, "workflows/cycle.yml:2:")) << r.err;
  EXPECT_EQ(baliza("workflow run cycle --dry-run").exit_code, 2);
  EXPECT_FALSE(contains(relations(), "census")) << "nothing loaded";
}

TEST_F(Workflow, AnErrorCheckStopsTheWorkflowAndAWarningDoesNot) {
  write("workflows/checked.yml",
        "steps:\n"
        "  - seed: census\n"
        "  - validate:\n"
        "      - {name: small, row_count: census, max: 10, severity: warn}\n"
        "      - {name: no_level_9, sql: 'select * from {{ ref(\"census\") }} where level = 9'}\n"
        "  - validate:\n"
        "      - {name: tiny, row_count: census, min: 1, max: 10, severity: error}\n"
        "      - {name: info_only, sql: 'select 1', severity: info}\n"
        "  - build: stg_census\n");
  auto r = baliza("workflow run checked");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "warn: small: census has 500 rows (expected ..10)")) << r.out;
  EXPECT_TRUE(contains(r.out, "error: tiny: census has 500 rows (expected 1..10)")) << r.out;
  EXPECT_TRUE(contains(r.out, "info: info_only: the query returned 1 row")) << r.out;
  EXPECT_TRUE(contains(r.out, "build     skipped")) << r.out;
  EXPECT_TRUE(contains(r.out, "step validate_2 failed")) << r.out;
  EXPECT_FALSE(contains(relations(), "stg_census"));
  EXPECT_EQ(q("select string_agg(status, ' ' order by position) from meta.workflow_steps"),
            "ok warn error skipped");
  EXPECT_EQ(q("select status from meta.workflow_runs"), "error");
  EXPECT_EQ(baliza("workflow status checked").exit_code, 1);
}

TEST_F(Workflow, StatusTellsAFreshDatabaseFromASetUpOne) {
  auto r = baliza("workflow status setup");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "NOT set up: no database")) << r.out;
  ASSERT_EQ(baliza("-q workflow run setup").exit_code, 0);
  r = baliza("workflow status setup");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "state: set up")) << r.out;
  // A table the workflow builds is gone: not set up any more.
  ASSERT_EQ(baliza("--db data/workforce.duckdb query \"drop table int_level_rates\"").exit_code, 0);
  r = baliza("workflow status");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "main.int_level_rates")) << r.out;
  // Clearing again without rebuilding: the later steps predate the clear.
  ASSERT_EQ(baliza("-q workflow run setup --from foundation").exit_code, 0);
  EXPECT_EQ(baliza("workflow status setup").exit_code, 0);
  ASSERT_EQ(baliza("-q workflow run setup --only clear").exit_code, 0);
  r = baliza("workflow status setup");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "dropped relations")) << r.out;
}

TEST_F(Workflow, BadWorkflowFilesNameFileAndLine) {
  write("workflows/bad.yml", "steps:\n  - seed: census\n  - biuld: tag:x\n");
  auto r = baliza("workflow list");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "workflows/bad.yml:3:")) << r.err;
  EXPECT_TRUE(contains(r.err, "build")) << r.err;  // did you mean
  write("workflows/bad.yml", "steps:\n  - validate:\n      - {name: x, row_count: census}\n");
  r = baliza("workflow run bad");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "workflows/bad.yml:3:")) << r.err;
  EXPECT_TRUE(contains(r.err, "no bounds")) << r.err;
  fs::remove(dir / "workflows/bad.yml");
  r = baliza("workflow run setpu");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "did you mean 'setup'")) << r.err;
  r = baliza("workflow run setup --from nowhere");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "its steps: clear, seed, foundation")) << r.err;
}

TEST_F(Workflow, ALockedDatabaseSaysWhoHoldsItAndWhatToDo) {
  ASSERT_EQ(baliza("-q workflow run setup").exit_code, 0);
  std::string holder =
      std::string(BALIZA_BIN) +
      " --db data/workforce.duckdb query \"create table main.big as select count(*) c from "
      "range(100000000000) a\" >/dev/null 2>&1 & echo $!";
  auto started = testing::run_command(holder, dir.path());
  int pid = std::stoi(started.out);
  for (int i = 0; i < 200 && !fs::exists(dir / "data/workforce.duckdb.sock"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  testing::ProcessResult r;
  for (int attempt = 0; attempt < 100; ++attempt) {
    r = baliza("workflow run setup");
    if (r.exit_code == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // status only reads: the holder serves it through its read socket.
  auto status = baliza("workflow status setup");
  kill(pid, SIGKILL);
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_TRUE(contains(status.out, "state: set up")) << status.out;
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(contains(r.err, "workflow setup cannot start")) << r.err;
  EXPECT_TRUE(contains(r.err, "locked by process " + std::to_string(pid))) << r.err;
  EXPECT_TRUE(contains(r.err, "--wait")) << r.err;
}

}  // namespace
}  // namespace baliza

namespace baliza {
namespace {

// A dbt project (no baliza.yml): workflows/*.yml work the same, on the profile's database,
// which gets the workflow tables and nothing else of Baliza's.
class DbtWorkflow : public testing::BalizaCli {
 protected:
  void SetUp() override {
    write("dbt_project.yml",
          "name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n"
          "models:\n  shop:\n    +materialized: table\n");
    write("profiles.yml",
          "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
          "      path: shop.duckdb\n      threads: 2\n");
    write("seeds/customers.csv", "id,name\n1,ana\n2,bia\n");
    write("seeds/orders.csv", "id,customer_id,amount\n10,1,5\n11,2,7\n12,1,9\n");
    write("seeds/schema.yml",
          "version: 2\nseeds:\n  - name: orders\n    columns:\n      - name: customer_id\n"
          "        tests:\n          - relationships: {to: ref('customers'), field: id}\n");
    write("models/stg_orders.sql",
          "select o.id, c.name, o.amount, {{ var('period_year', 0) }} as year\n"
          "from {{ ref('orders') }} o join {{ ref('customers') }} c on c.id = o.customer_id\n");
    write("workflows/setup.yml",
          "steps:\n  - clear: [stg_*]\n  - seed: {}\n  - build: stg_orders\n"
          "  - validate:\n      - {name: three, row_count: stg_orders, min: 3, max: 3}\n");
  }
  void write(const std::string& path, const std::string& content) {
    fs::path p = dir / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
};

TEST_F(DbtWorkflow, RunsInADbtProjectFolder) {
  auto r = baliza("workflow run setup --format json");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["status"], "ok");
  std::vector<std::string> order = report["steps"][1]["detail"]["order"];
  EXPECT_EQ(order, (std::vector<std::string>{"customers", "orders"}));
  EXPECT_EQ(baliza("workflow status setup").exit_code, 0);
  r = baliza(
      "--db shop.duckdb query -f csv \"select (select sum(amount) from main.stg_orders) || "
      "' ' || (select count(*) from meta.workflow_steps)\"");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "21 4\n")) << r.out;
  // Period by period with dbt's command line too.
  r = baliza("dbt build -s stg_orders --periods 2025..2026");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = baliza(
      "--db shop.duckdb query -f csv \"select (select max(year) from main.stg_orders) || "
      "' ' || (select string_agg(period, ' ' order by period) from meta.period_runs)\"");
  EXPECT_TRUE(contains(r.out, "2026 2025 2026")) << r.out;
}

}  // namespace
}  // namespace baliza
