// End-to-end: the transformation engine through the built binary, on small projects written
// to a temporary folder (materializations, seeds, tests, failures, selection, artifacts).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

using testing::ProcessResult;
using testing::run_command;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class Transform : public testing::BalizaCli {
 protected:
  void SetUp() override {
    write("baliza.yml",
          "name: demo\ndatabase: data/demo.duckdb\nraw_store:\n  zstd_level: 3\nmodels:\n  demo:\n"
          "    staging: {+schema: staging, +materialized: view}\n"
          "    marts: {+schema: marts, +materialized: table}\n");
    write("seeds/customers.csv", "id,name,amount\n1,a,10\n2,b,20\n3,c,30\n");
    write("seeds/schema.yml",
          "version: 2\nseeds:\n  - name: customers\n    config: {column_types: {amount: "
          "'DECIMAL(10,2)'}}\n");
    write("models/staging/stg_customers.sql",
          "select id, name, amount from {{ ref('customers') }}\n");
  }

  void write(const std::string& path, const std::string& content) {
    std::filesystem::path p = dir / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }

  std::string csv(const std::string& sql) {
    auto r = baliza("query --format csv \"" + sql + "\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
};

TEST_F(Transform, SeedsViewsTablesAndEphemeral) {
  write("models/staging/doubled.sql",
        "{{ config(materialized='ephemeral') }}\nselect id, amount * 2 as twice from "
        "{{ ref('stg_customers') }}\n");
  write(
      "models/marts/totals.sql",
      "select s.id, s.name, d.twice\nfrom {{ ref('stg_customers') }} s\njoin {{ ref('doubled') }} "
      "d using (id)\n");
  auto r = baliza("build");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "OK loaded seed file main.customers")) << r.err;
  EXPECT_TRUE(contains(r.err, "OK created sql view model staging.stg_customers")) << r.err;
  EXPECT_TRUE(contains(r.err, "[3 rows in")) << r.err;
  EXPECT_TRUE(contains(r.err, "Done. PASS=3 WARN=0 ERROR=0 SKIP=0 TOTAL=3")) << r.err;
  EXPECT_EQ(csv("select data_type from information_schema.columns where table_name = 'customers' "
                "and column_name = 'amount'"),
            "data_type\n\"DECIMAL(10,2)\"\n");
  EXPECT_EQ(csv("select table_type from information_schema.tables where table_name = "
                "'stg_customers'"),
            "table_type\nVIEW\n");
  EXPECT_EQ(csv("select id, twice from marts.totals order by id"),
            "id,twice\n1,20.00\n2,40.00\n3,60.00\n");
  EXPECT_EQ(csv("select count(*) from information_schema.tables where table_name = 'doubled'"),
            "count_star()\n0\n");
}

TEST_F(Transform, IncrementalStrategies) {
  for (const char* strategy : {"append", "delete+insert", "merge"}) {
    std::string name = std::string("inc_") + (strategy[0] == 'd' ? "delete" : strategy);
    write("models/marts/" + name + ".sql",
          std::string("{{ config(materialized='incremental', unique_key='id', "
                      "incremental_strategy='") +
              strategy +
              "') }}\nselect id, name || '{{ var(\"suffix\", \"\") }}' as name from "
              "{{ ref('customers') }}\n{% if is_incremental() %}where id >= 2{% endif %}\n");
  }
  ASSERT_EQ(baliza("build").exit_code, 0);
  auto again = baliza("transform -s marts --vars '{\"suffix\": \"2\"}'");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.err, "OK merged sql incremental model marts.inc_merge")) << again.err;
  EXPECT_EQ(csv("select id, name from marts.inc_append order by id, name"),
            "id,name\n1,a\n2,b\n2,b2\n3,c\n3,c2\n");
  EXPECT_EQ(csv("select id, name from marts.inc_delete order by id"), "id,name\n1,a\n2,b2\n3,c2\n");
  EXPECT_EQ(csv("select id, name from marts.inc_merge order by id"), "id,name\n1,a\n2,b2\n3,c2\n");
  ASSERT_EQ(baliza("transform -s inc_append --full-refresh").exit_code, 0);
  EXPECT_EQ(csv("select count(*) from marts.inc_append"), "count_star()\n3\n");
}

TEST_F(Transform, IncrementalModelWhoseColumnsChangedSaysHowToRebuild) {
  write("models/marts/inc.sql",
        "{{ config(materialized='incremental', unique_key='id') }}\nselect id, name from "
        "{{ ref('customers') }}\n");
  ASSERT_EQ(baliza("build").exit_code, 0);
  write("models/marts/inc.sql",
        "{{ config(materialized='incremental', unique_key='id') }}\nselect id, amount from "
        "{{ ref('customers') }}\n");
  auto changed = baliza("transform -s inc");
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_TRUE(contains(changed.err, "new: amount; no longer produced: name")) << changed.err;
  EXPECT_TRUE(contains(changed.err, "baliza transform --full-refresh -s inc")) << changed.err;
  EXPECT_EQ(csv("select count(*) from marts.inc where name is not null"), "count_star()\n3\n");
  ASSERT_EQ(baliza("transform -s inc --full-refresh").exit_code, 0);
  EXPECT_EQ(csv("select sum(amount) from marts.inc"), "sum(amount)\n60.00\n");
}

TEST_F(Transform, DataTestsPassFailWarnAndStoreFailures) {
  write("models/marts/orders.sql",
        "select * from (values (1, 1, 'open'), (2, 9, 'lost'), (3, null, 'open')) "
        "t(id, customer_id, status)\n");
  write("models/marts/schema.yml",
        "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n"
        "        data_tests: [unique, not_null]\n"
        "      - name: customer_id\n        data_tests:\n"
        "          - not_null: {config: {severity: warn}}\n"
        "          - relationships: {to: \"ref('customers')\", field: id, config: {store_failures: "
        "true}}\n"
        "      - name: status\n        data_tests:\n"
        "          - accepted_values: {values: [open, closed]}\n"
        "    data_tests:\n      - expression_is_true: {expression: \"id > 0\"}\n");
  write("tests/no_big_ids.sql", "select * from {{ ref('orders') }} where id > 2\n");
  ASSERT_EQ(baliza("seed").exit_code, 0);
  ASSERT_EQ(baliza("transform").exit_code, 0);
  auto t = baliza("test");
  EXPECT_EQ(t.exit_code, 1) << t.err;
  EXPECT_TRUE(contains(t.err, "PASS test unique_orders_id")) << t.err;
  EXPECT_TRUE(contains(t.err, "WARN 1 test not_null_orders_customer_id")) << t.err;
  EXPECT_TRUE(contains(t.err, "FAIL 1 test relationships_orders_customer_id")) << t.err;
  EXPECT_TRUE(contains(t.err, "FAIL 1 test accepted_values_orders_status")) << t.err;
  EXPECT_TRUE(contains(t.err, "FAIL 1 test no_big_ids")) << t.err;
  EXPECT_TRUE(contains(t.err, "PASS test expression_is_true_orders")) << t.err;
  EXPECT_TRUE(contains(t.err, "from_field=9")) << t.err;
  EXPECT_TRUE(contains(t.err, "Done. PASS=3 WARN=1 ERROR=3 SKIP=0 TOTAL=7")) << t.err;
  EXPECT_EQ(csv("select from_field from "
                "test_failures.relationships_orders_customer_id__id__ref_customers_"),
            "from_field\n9\n");
  auto warn_only = baliza("test -s not_null_orders_customer_id");
  EXPECT_EQ(warn_only.exit_code, 0) << warn_only.err;
}

TEST_F(Transform, FailureKeepsOldTableAndSkipsDescendants) {
  write("models/marts/totals.sql", "select id, amount from {{ ref('stg_customers') }}\n");
  write("models/marts/downstream.sql", "select count(*) as n from {{ ref('totals') }}\n");
  write("models/marts/independent.sql", "select 1 as one\n");
  ASSERT_EQ(baliza("build").exit_code, 0);
  write("models/marts/totals.sql", "select id,\n amount\nfrm {{ ref('stg_customers') }}\n");
  auto r = baliza("transform");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "Runtime Error in model totals (models/marts/totals.sql:3)"))
      << r.err;
  EXPECT_TRUE(contains(r.err, "syntax error")) << r.err;
  EXPECT_TRUE(contains(r.err, "SKIP sql table model marts.downstream")) << r.err;
  EXPECT_TRUE(contains(r.err, "OK created sql table model marts.independent")) << r.err;
  EXPECT_TRUE(contains(r.err, "ERROR=1 SKIP=1")) << r.err;
  EXPECT_EQ(csv("select count(*) from marts.totals"), "count_star()\n3\n");
  EXPECT_EQ(csv("select status from meta.node_results where unique_id = 'model.demo.downstream' "
                "order by started_at nulls first limit 1"),
            "status\nskipped\n");
}

TEST_F(Transform, MissingRefAndCycleAreUsageErrors) {
  write("models/marts/bad.sql", "select *\nfrom {{ ref('stg_custmers') }}\n");
  auto missing = baliza("transform");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.err, "models/marts/bad.sql:2")) << missing.err;
  EXPECT_TRUE(contains(missing.err, "did you mean 'stg_customers'")) << missing.err;
  std::filesystem::remove(dir / "models/marts/bad.sql");
  write("models/marts/a.sql", "select * from {{ ref('b') }}\n");
  write("models/marts/b.sql", "select * from marts.a\n");  // plain SQL closes the cycle
  auto cycle = baliza("transform");
  EXPECT_EQ(cycle.exit_code, 2);
  EXPECT_TRUE(contains(cycle.err, "dependency cycle")) << cycle.err;
  EXPECT_TRUE(contains(cycle.err, "models/marts/a.sql")) << cycle.err;
}

TEST_F(Transform, PlainSqlDependenciesSelectionAndLs) {
  write("models/marts/plain.sql",
        "with staging_like as (select 1 as id)\nselect c.id from staging.stg_customers c join "
        "staging_like using (id)\n");
  write("models/marts/other.sql", "select 2 as id\n");
  auto ls = baliza("ls -s +plain --output json");
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_TRUE(contains(ls.out, "\"unique_id\":\"model.demo.stg_customers\"")) << ls.out;
  EXPECT_TRUE(contains(ls.out, "\"unique_id\":\"seed.demo.customers\"")) << ls.out;
  EXPECT_FALSE(contains(ls.out, "model.demo.other")) << ls.out;
  auto deps = baliza("ls -s plain --output json");
  EXPECT_TRUE(contains(deps.out, "\"depends_on\":{\"nodes\":[\"model.demo.stg_customers\"]}"))
      << deps.out;
  auto tags = baliza("ls -s config.materialized:view,path:models/staging");
  EXPECT_EQ(tags.out, "demo.staging.stg_customers\n");
  auto excl = baliza("ls -s marts --exclude other --resource-type model");
  EXPECT_EQ(excl.out, "demo.marts.plain\n");
  ASSERT_EQ(baliza("build").exit_code, 0);
  auto order = baliza("transform --threads 1");
  EXPECT_LT(order.err.find("OK created sql view model staging.stg_customers"),
            order.err.find("OK created sql table model marts.plain"));
}

TEST_F(Transform, StateModifiedAndArtifacts) {
  write("models/marts/totals.sql", "select id from {{ ref('stg_customers') }}\n");
  ASSERT_EQ(baliza("build").exit_code, 0);
  std::filesystem::copy_file(dir / "target/manifest.json", dir / "previous.json");
  auto none = baliza("ls -s state:modified --state previous.json");
  EXPECT_EQ(none.out, "");
  write("models/marts/totals.sql", "select id, name from {{ ref('stg_customers') }}\n");
  auto one = baliza("ls -s state:modified --state previous.json");
  EXPECT_EQ(one.out, "demo.marts.totals\n");
  auto run = baliza("transform -s state:modified+ --state previous.json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto manifest = nlohmann::json::parse(testing::read_file(dir / "target/manifest.json"));
  const auto& node = manifest["nodes"]["model.demo.totals"];
  EXPECT_EQ(node["resource_type"], "model");
  EXPECT_EQ(node["depends_on"]["nodes"][0], "model.demo.stg_customers");
  EXPECT_EQ(node["checksum"]["name"], "sha256");
  EXPECT_TRUE(contains(node["compiled_code"], "\"staging\".\"stg_customers\""));
  EXPECT_EQ(manifest["child_map"]["model.demo.stg_customers"][0], "model.demo.totals");
  auto results = nlohmann::json::parse(testing::read_file(dir / "target/run_results.json"));
  ASSERT_EQ(results["results"].size(), 1u);
  EXPECT_EQ(results["results"][0]["status"], "success");
  EXPECT_EQ(results["results"][0]["adapter_response"]["rows_affected"], 3);
  EXPECT_EQ(results["results"][0]["timing"][0]["name"], "execute");
  EXPECT_EQ(csv("select count(*) from meta.run_results"), "count_star()\n2\n");
}

TEST_F(Transform, ValidateAndCompile) {
  write("models/marts/typo.sql", "select id,\n  nmae\nfrom {{ ref('stg_customers') }}\n");
  ASSERT_EQ(baliza("seed").exit_code, 0);
  auto v = baliza("validate");
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_TRUE(contains(v.err, "models/marts/typo.sql:2")) << v.err;
  EXPECT_TRUE(contains(v.err, "nmae")) << v.err;
  std::filesystem::remove(dir / "models/marts/typo.sql");
  EXPECT_EQ(baliza("validate").exit_code, 0);
  auto c = baliza("compile -s stg_customers");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_TRUE(contains(c.out, "from \"main\".\"customers\"")) << c.out;
  EXPECT_TRUE(
      std::filesystem::exists(dir / "target/compiled/demo/models/staging/stg_customers.sql"));
  EXPECT_EQ(csv("select count(*) from information_schema.tables where table_name = 'typo'"),
            "count_star()\n0\n");
}

}  // namespace
}  // namespace baliza
