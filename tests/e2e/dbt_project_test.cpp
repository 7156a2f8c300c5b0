// End-to-end: a folder with dbt_project.yml is a project, run through `baliza dbt <command>`
// with its profiles.yml target; schema names follow dbt; discovery stops at
// BALIZA_CEILING_DIRECTORIES; the built-in PNCP project is never picked in a dbt project.
#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

class DbtProjectTest : public testing::DbtProject {
 protected:
  void SetUp() override {
    DbtProject::SetUp();
    write("seeds/raw_orders.csv", "id,customer,amount\n1,ana,10.5\n2,bia,20\n3,ana,7\n");
    write("models/staging/stg_orders.sql",
          "select id, upper(customer) as customer, amount from {{ ref('raw_orders') }}\n");
    write("models/marts/revenue.sql",
          "select customer, sum(amount) as total from {{ ref('stg_orders') }} group by 1\n");
  }
};

TEST_F(DbtProjectTest, BuildsAgainstTheProfileTargetWithDbtSchemaNames) {
  write("dbt_project.yml",
        "name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n"
        "require-dbt-version: '>=1.7.0'\ndocs-paths: [docs]\n"
        "models:\n  shop:\n    staging:\n      +schema: stg\n    marts:\n"
        "      materialized: table\n");
  auto r = dbt("build");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "project: " + dir.str() + " (dbt_project.yml)")) << r.err;
  // One warning naming every key Baliza does not use.
  EXPECT_TRUE(contains(r.err, "Baliza does not use require-dbt-version, docs-paths")) << r.err;
  // generate_schema_name's default: <target schema>_<custom schema>.
  EXPECT_EQ(relations(),
            "table_schema,table_name,table_type\nmain,raw_orders,BASE TABLE\n"
            "main,revenue,BASE TABLE\nmain_stg,stg_orders,VIEW\n");
  EXPECT_EQ(csv("select customer, total from main.revenue order by 1"),
            csv("select upper(customer) as customer, sum(amount) as total from "
                "read_csv('seeds/raw_orders.csv') group by 1 order by 1"));
}

TEST_F(DbtProjectTest, TargetAndProfilesDirPickTheDatabase) {
  write("elsewhere/profiles.yml",
        "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: dev.duckdb}\n"
        "    prod: {type: duckdb, path: \"{{ env_var('SHOP_PROD_DB', 'prod.duckdb') }}\", "
        "schema: analytics}\n");
  auto r = dbt("build --profiles-dir elsewhere --target prod -s +stg_orders");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "prod.duckdb"));
  EXPECT_FALSE(std::filesystem::exists(dir / "shop.duckdb"));
  EXPECT_EQ(relations("prod.duckdb"),
            "table_schema,table_name,table_type\nanalytics,raw_orders,BASE TABLE\n"
            "analytics,stg_orders,VIEW\n");
  auto env = testing::run_command(
      "env -u BALIZA_DB DBT_PROFILES_DIR=elsewhere " + std::string(BALIZA_BIN) + " dbt seed",
      dir.path());
  ASSERT_EQ(env.exit_code, 0) << env.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "dev.duckdb"));
  auto bad = dbt("run --profiles-dir elsewhere --target prd");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.err, "target 'prd' is not among")) << bad.err;
  EXPECT_TRUE(contains(bad.err, "did you mean 'prod'")) << bad.err;
}

TEST_F(DbtProjectTest, MissingProfileSaysHowToWriteOne) {
  std::filesystem::remove(dir / "profiles.yml");
  auto r = testing::run_command("env -u BALIZA_DB -u DBT_PROFILES_DIR HOME=" + dir.str() + " " +
                                    std::string(BALIZA_BIN) + " dbt build",
                                dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "no profiles.yml for profile 'shop'")) << r.err;
  EXPECT_TRUE(contains(r.err, "type: duckdb")) << r.err;
}

TEST_F(DbtProjectTest, ProjectMacroOverridesGenerateSchemaName) {
  write("dbt_project.yml",
        "name: shop\nprofile: shop\nmodels:\n  shop:\n    staging: {+schema: stg}\n"
        "    marts: {+materialized: table, +schema: reporting}\n");
  write("macros/schemas.sql",
        "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
        "{%- if not custom_schema_name -%}main{%- else -%}{{ custom_schema_name }}"
        "{%- endif -%}\n{%- endmacro %}\n");
  auto r = dbt("build");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(relations(),
            "table_schema,table_name,table_type\nmain,raw_orders,BASE TABLE\n"
            "reporting,revenue,BASE TABLE\nstg,stg_orders,VIEW\n");
}

// The common production pattern: the override reads target.name / target.schema (from the
// profile), and models see the same `target`; dispatch follows dbt_project.yml's search order.
TEST_F(DbtProjectTest, OverridesAndModelsReadTheProfileTargetAndDispatch) {
  write("profiles.yml",
        "shop:\n  target: prod\n  outputs:\n    prod: {type: duckdb, path: shop.duckdb, "
        "schema: analytics, threads: 3}\n");
  write("dbt_project.yml",
        "name: shop\nprofile: shop\n"
        "dispatch:\n  - macro_namespace: tools\n    search_order: [shop, tools]\n"
        "models:\n  shop:\n    staging: {+schema: stg}\n"
        "    marts: {+materialized: table, +schema: reporting}\n");
  write("macros/schemas.sql",
        "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
        "{%- if target.name == 'prod' and custom_schema_name -%}{{ custom_schema_name | trim }}"
        "{%- else -%}{{ target.schema }}{%- endif -%}\n{%- endmacro %}\n");
  // A package-like namespace whose implementation the project overrides through dispatch.
  write("dbt_packages/tools/dbt_project.yml", "name: tools\n");
  write("dbt_packages/tools/macros/label.sql",
        "{% macro label() %}{{ return(adapter.dispatch('label', 'tools')()) }}{% endmacro %}\n"
        "{% macro default__label() %}'from tools'{% endmacro %}\n");
  write("macros/label.sql", "{% macro default__label() %}'from shop'{% endmacro %}\n");
  write("models/marts/about.sql",
        "select '{{ target.name }}' as target_name, '{{ target.schema }}' as target_schema, "
        "{{ target.threads }} as threads, '{{ target.type }}' as type, "
        "'{{ this.schema }}' as own_schema, {{ tools.label() }} as label, "
        "'{{ config.get(\"materialized\") }}' as materialized\n");
  auto r = dbt("build");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(relations(),
            "table_schema,table_name,table_type\nanalytics,raw_orders,BASE TABLE\n"
            "reporting,about,BASE TABLE\nreporting,revenue,BASE TABLE\nstg,stg_orders,VIEW\n");
  EXPECT_EQ(csv("select * from reporting.about"),
            "target_name,target_schema,threads,type,own_schema,label,materialized\n"
            "prod,analytics,3,duckdb,reporting,from shop,table\n");
}

TEST_F(DbtProjectTest, DbtCommandsOutsideAProjectStop) {
  std::filesystem::create_directories(dir / "empty");
  auto r = testing::run_command(
      "env -u BALIZA_DB BALIZA_CEILING_DIRECTORIES=" + dir.str() + " " + BALIZA_BIN + " dbt build",
      dir / "empty");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "no dbt_project.yml")) << r.err;
}

TEST_F(DbtProjectTest, NativeCommandsNeverPickTheBuiltInProjectInADbtProject) {
  std::filesystem::create_directories(dir / "models" / "deep");
  auto r = testing::run_command(std::string("env -u BALIZA_DB ") + BALIZA_BIN + " ls",
                                dir / "models" / "deep");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "shop.raw_orders\nshop.staging.stg_orders\nshop.marts.revenue\n");
  auto run = baliza("run --mes 2024-01");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.err, "is a dbt project")) << run.err;
}

TEST_F(DbtProjectTest, DiscoveryStopsAtTheCeiling) {
  // A baliza project above the working folder: found without a ceiling, hidden by one.
  write("outer/baliza.yml", "name: outer\n");
  write("outer/models/outer_model.sql", "select 1 as x\n");
  std::filesystem::create_directories(dir / "outer" / "inner");
  std::string bin = std::string(" ") + BALIZA_BIN + " ls --resource-type model";
  auto seen = testing::run_command("env -u BALIZA_DB BALIZA_CEILING_DIRECTORIES=" + dir.str() + bin,
                                   dir / "outer" / "inner");
  ASSERT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_EQ(seen.out, "outer.outer_model\n");
  auto hidden = testing::run_command(
      "env -u BALIZA_DB BALIZA_CEILING_DIRECTORIES=/nowhere:" + (dir / "outer").string() + bin,
      dir / "outer" / "inner");
  ASSERT_EQ(hidden.exit_code, 0) << hidden.err;
  EXPECT_FALSE(contains(hidden.out, "outer.outer_model")) << hidden.out;
}

TEST_F(DbtProjectTest, VarsInYamlSelectorsRetryAndUnknownFlags) {
  write("models/staging/big_orders.sql",
        "select * from {{ ref('stg_orders') }} where amount > {{ var('min_amount') }}\n");
  write("selectors.yml",
        "selectors:\n  - name: big\n    definition: {method: fqn, value: big_orders, parents: "
        "true}\n");
  auto r = dbt("build --selector big --vars '{min_amount: 8}'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csv("select count(*) as n from main.big_orders"),
            csv("select count(*) as n from read_csv('seeds/raw_orders.csv') where amount > 8"));
  EXPECT_FALSE(contains(r.err, "revenue")) << r.err;

  write("models/marts/broken.sql", "select no_such_column from {{ ref('stg_orders') }}\n");
  auto failed = dbt("run --vars 'min_amount: 1'");
  EXPECT_EQ(failed.exit_code, 1);
  write("models/marts/broken.sql", "select count(*) as n from {{ ref('stg_orders') }}\n");
  auto retried = dbt("retry --vars 'min_amount: 1'");
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_TRUE(contains(retried.err, "broken")) << retried.err;
  EXPECT_FALSE(contains(retried.err, "model main.revenue")) << retried.err;

  auto unknown = dbt("run --selct x");
  EXPECT_EQ(unknown.exit_code, 2);
}

TEST_F(DbtProjectTest, DebugAndClean) {
  auto d = dbt("debug");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_TRUE(contains(d.out, "profile: shop  target: dev  type: duckdb")) << d.out;
  EXPECT_TRUE(contains(d.out, "All checks passed!")) << d.out;
  ASSERT_EQ(dbt("parse").exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "target" / "manifest.json"));
  auto c = dbt("clean");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "target"));
}

}  // namespace
}  // namespace baliza
