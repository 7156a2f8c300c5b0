// End-to-end: dbt features on small dbt projects: hooks (pre/post, on-run-start/end), strict
// seeds (delimiter, column_types, ragged rows and unclosed quotes with file:line), custom
// generic tests ({% test %} in macros/ and tests/generic/). Expected values come from DuckDB.
#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

class DbtFeatures : public testing::DbtProject {};

TEST_F(DbtFeatures, HooksRunAroundNodesAndRuns) {
  write("dbt_project.yml",
        "name: shop\nprofile: shop\n"
        "on-run-start:\n  - create table if not exists main.audit (event varchar, seq int)\n"
        "  - \"insert into main.audit values ('start', 0)\"\n"
        "on-run-end: \"insert into main.audit values ('end', 99)\"\n"
        "models:\n  shop:\n    +materialized: table\n"
        "    +post-hook: \"insert into main.audit select 'project post ' || count(*), 2 from "
        "{{ this }}\"\n");
  write("seeds/nums.csv", "n\n1\n2\n3\n");
  write("models/evens.sql",
        "{{ config(pre_hook=\"insert into main.audit values ('pre evens', 1)\", "
        "post_hook=[\"insert into main.audit values ('post evens', 3)\"]) }}\n"
        "select n from {{ ref('nums') }} where n % 2 = 0\n");
  auto r = dbt("build");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csv("select event from main.audit order by seq, event"),
            "event\nstart\npre evens\nproject post 1\npost evens\nend\n");

  write("models/evens.sql",
        "{{ config(post_hook='insert into main.no_such_table values (1)') }}\nselect 1 as n\n");
  auto bad = dbt("run");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(contains(bad.err, "post_hook[1] of model.shop.evens failed")) << bad.err;
  EXPECT_TRUE(contains(bad.err, "no_such_table")) << bad.err;
}

TEST_F(DbtFeatures, FailingOnRunStartSkipsTheNodes) {
  write("dbt_project.yml",
        "name: shop\nprofile: shop\non-run-start: [\"select * from main.missing_table\"]\n");
  write("models/one.sql", "select 1 as x\n");
  auto r = dbt("run");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "on-run-start[0] of dbt_project.yml failed")) << r.err;
  EXPECT_TRUE(contains(r.err, "SKIP=1")) << r.err;
}

TEST_F(DbtFeatures, SeedsWithDelimiterColumnTypesAndQuotes) {
  write("seeds/people.csv",
        "id;name;joined;score\n1;\"Ana; the first\";2024-01-02;10\n2;\"Bia \"\"B\"\"\";;7.5\n");
  write("seeds/schema.yml",
        "version: 2\nseeds:\n  - name: people\n    config:\n      delimiter: ';'\n"
        "      column_types: {id: VARCHAR, score: 'DECIMAL(6,2)'}\n");
  auto r = dbt("seed");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csv("select id, name, joined, score, typeof(id) as t_id, typeof(score) as t_score "
                "from main.people order by id"),
            csv("select * , typeof(id) as t_id, typeof(score) as t_score from read_csv("
                "'seeds/people.csv', delim=';', header=true, types={'id': 'VARCHAR', 'score': "
                "'DECIMAL(6,2)'}) order by id"));
  EXPECT_EQ(csv("select name from main.people where id = '2'"), "name\n\"Bia \"\"B\"\"\"\n");
}

TEST_F(DbtFeatures, RaggedRowsAndUnclosedQuotesAreErrorsWithFileAndLine) {
  write("seeds/ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");
  auto r = dbt("seed");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "seeds/ragged.csv:3: row has 2 fields, the header has 3")) << r.err;
  write("seeds/ragged.csv", "a,b\n1,\"open\n2,3\n");
  r = dbt("seed");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "seeds/ragged.csv:2: a quoted value is never closed")) << r.err;
  // Nothing half-written: no table from the bad file.
  EXPECT_EQ(csv("select count(*) as n from information_schema.tables where table_name = "
                "'ragged'"),
            "n\n0\n");
}

TEST_F(DbtFeatures, CustomGenericTestsFromMacrosAndTestsGeneric) {
  write("seeds/orders.csv", "id,amount,status\n1,10,paid\n2,-5,paid\n3,7,open\n4,-1,open\n");
  write("macros/positive.sql",
        "{% test is_positive(model, column_name) %}\n"
        "select * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}\n");
  write("tests/generic/at_most.sql",
        "{%- test at_most(model, column_name, limit_value=100) -%}\n"
        "select * from {{ model }} where {{ column_name }} > {{ limit_value }}\n"
        "{%- endtest -%}\n");
  write("seeds/schema.yml",
        "version: 2\nseeds:\n  - name: orders\n    columns:\n      - name: amount\n"
        "        data_tests:\n          - is_positive\n          - at_most: {limit_value: 8}\n"
        "          - is_positive:\n              config: {where: \"status = 'open'\", severity: "
        "warn}\n");
  auto r = dbt("build");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // Failures computed directly: amount <= 0 overall, > 8, and <= 0 among open orders.
  std::string all = csv("select count(*) from read_csv('seeds/orders.csv') where amount <= 0");
  std::string over = csv("select count(*) from read_csv('seeds/orders.csv') where amount > 8");
  std::string open = csv(
      "select count(*) from read_csv('seeds/orders.csv') where status = 'open' and amount <= 0");
  auto value = [](const std::string& c) { return c.substr(c.find('\n') + 1, 1); };
  EXPECT_TRUE(contains(r.err, "FAIL " + value(all) + " test is_positive_orders_amount")) << r.err;
  EXPECT_TRUE(contains(r.err, "FAIL " + value(over) + " test at_most_orders_amount__8")) << r.err;
  EXPECT_TRUE(contains(r.err, "WARN " + value(open) + " test is_positive_orders_amount")) << r.err;

  write("seeds/schema.yml",
        "version: 2\nseeds:\n  - name: orders\n    columns:\n      - name: amount\n"
        "        data_tests: [is_positiv]\n");
  auto unknown = dbt("build");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.err, "unknown test 'is_positiv' at seeds/schema.yml:6"))
      << unknown.err;
  EXPECT_TRUE(contains(unknown.err, "did you mean 'is_positive'")) << unknown.err;
}

TEST_F(DbtFeatures, ExternalModelsAndExternalSources) {
  write("data/events.csv", "id,kind,amount\n1,a,10\n2,b,20\n3,a,5\n");
  write("models/sources.yml",
        "version: 2\nsources:\n  - name: files\n    meta: {external_location: "
        "\"data/{name}.csv\"}\n    tables:\n      - name: events\n");
  write("models/by_kind.sql",
        "{{ config(materialized='external', location='out/by_kind', partition_by='kind') }}\n"
        "select kind, id, amount from {{ source('files', 'events') }}\n");
  write("models/totals.sql",
        "{{ config(materialized='external', format='csv') }}\n"
        "select kind, sum(amount) as total from {{ ref('by_kind') }} group by kind\n");
  auto r = dbt("run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Files written where dbt-duckdb writes them; the relations read them back.
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "by_kind" / "kind=a"));
  EXPECT_TRUE(std::filesystem::exists(dir / "totals.csv"));
  EXPECT_EQ(csv("select kind, id, amount from main.by_kind order by id"),
            csv("select kind, id, amount from read_csv('data/events.csv') order by id"));
  EXPECT_EQ(csv("select kind, total from read_csv('totals.csv') order by kind"),
            csv("select kind, sum(amount) as total from read_csv('data/events.csv') group by "
                "kind order by kind"));
}

}  // namespace
}  // namespace baliza

namespace baliza {
namespace {

class DbtAnalyses : public testing::DbtProject {};

// Analyses are compiled into target/compiled (refs resolved, macros expanded), never run.
TEST_F(DbtAnalyses, AreCompiledNotRun) {
  write("seeds/raw.csv", "id,amount\n1,5\n2,7\n");
  write("models/totals.sql", "select sum(amount) as total from {{ ref('raw') }}\n");
  write("macros/twice.sql", "{% macro twice(x) %}({{ x }} * 2){% endmacro %}\n");
  write("analyses/explore/doubled.sql",
        "create table should_not_exist as select {{ twice('total') }} as t from "
        "{{ ref('totals') }}\n");
  auto r = dbt("compile");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(testing::contains(r.err, "Compiled 1 analysis (not run)")) << r.err;
  std::ifstream in(dir / "target/compiled/shop/analyses/explore/doubled.sql");
  std::string sql((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(sql,
            "create table should_not_exist as select (total * 2) as t from \"main\".\"totals\"\n");
  ASSERT_EQ(dbt("build").exit_code, 0);
  EXPECT_EQ(csv("select count(*) as n from information_schema.tables where table_name = "
                "'should_not_exist'"),
            "n\n0\n");
}

}  // namespace
}  // namespace baliza
