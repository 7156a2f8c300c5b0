// End-to-end: constructs found in public dbt-duckdb projects that stopped them from running
// unmodified (bench/results/dbt.md lists the projects), each on a small project of our own.
#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

class DbtRealProjects : public testing::DbtProject {};

// dbt renders Jinja in dbt_project.yml's config values with --vars and the target.
TEST_F(DbtRealProjects, ConfigValuesInDbtProjectYmlAreRenderedWithVarsAndTarget) {
  write("dbt_project.yml",
        "name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n"
        "seeds:\n  shop:\n    landing:\n      +enabled: \"{{ var('load_landing', false) }}\"\n"
        "models:\n  shop:\n    +materialized: table\n"
        "    +schema: \"{{ 'sandbox' if target.name == 'dev' else 'prod' }}\"\n");
  write("seeds/landing/people.csv", "id,name\n1,ana\n2,bia\n3,caio\n");
  write("seeds/fixed/colors.csv", "id,color\n1,red\n");
  write("models/people_count.sql", "select count(*) as n from {{ ref('colors') }}\n");

  auto r = dbt("build");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(relations(),
            "table_schema,table_name,table_type\nmain,colors,BASE TABLE\n"
            "main_sandbox,people_count,BASE TABLE\n");

  r = dbt("build --vars '{load_landing: true}'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(csv("select n from main_sandbox.people_count"), "n\n1\n");
  EXPECT_EQ(csv("select count(*) as c from main.people"), "c\n3\n");
}

TEST_F(DbtRealProjects, AConfigValueThatRendersWrongNamesItsPlace) {
  write("dbt_project.yml",
        "name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n"
        "seeds:\n  shop:\n    +enabled: \"{{ var('load', 'maybe') }}\"\n");
  write("seeds/people.csv", "id\n1\n");
  auto r = dbt("build");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "dbt_project.yml: seeds.shop +enabled")) << r.err;
  EXPECT_TRUE(contains(r.err, "maybe")) << r.err;
}

// dbt-duckdb runs Python models; Baliza cannot, but the project must still load, list, compile
// and build everything that does not depend on them.
TEST_F(DbtRealProjects, PythonModelsAreNodesWhoseBuildFailsAloneAndSkipsTheirChildren) {
  write("models/base.sql", "select 1 as id union all select 2\n");
  write("models/other.sql", "select id * 10 as id from {{ ref('base') }}\n");
  write("models/scored.py",
        "import math\n\ndef model(dbt, session):\n    dbt.config(materialized=\"table\")\n"
        "    df = dbt.ref(\"base\").df()\n    return df\n");
  write("models/after_py.sql", "select * from {{ ref('scored') }}\n");
  write("models/schema.yml",
        "version: 2\nmodels:\n  - name: after_py\n    columns:\n      - name: id\n"
        "        data_tests: [not_null]\n");

  auto ls = dbt("ls --resource-type model --output json");
  ASSERT_EQ(ls.exit_code, 0) << ls.out << ls.err;
  EXPECT_TRUE(contains(ls.out, "\"name\": \"scored\"") || contains(ls.out, "\"name\":\"scored\""))
      << ls.out;
  auto parents = dbt("ls -s +after_py --resource-type model");
  EXPECT_TRUE(contains(parents.out, "scored") && contains(parents.out, "base")) << parents.out;

  auto r = dbt("build");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out + r.err, "models/scored.py is a dbt Python model")) << r.out;
  EXPECT_EQ(relations(), "table_schema,table_name,table_type\nmain,base,VIEW\nmain,other,VIEW\n");
  EXPECT_TRUE(contains(r.out + r.err, "SKIP=2")) << r.out << r.err;  // after_py, its test

  auto compile = dbt("compile -s other");
  EXPECT_EQ(compile.exit_code, 0) << compile.out << compile.err;
}

// dbt_expectations is the most used test package after dbt_utils; without dbt_packages/ its
// common tests are built in. Failing rows are counted by the tests as DuckDB finds them.
TEST_F(DbtRealProjects, DbtExpectationsTestsRunWithoutThePackage) {
  write("models/scores.sql",
        "select * from (values (1, 'a1', 10), (2, 'b2', 20), (3, 'c3', 30), (4, null, 400)) "
        "t(id, code, points)\n");
  write("models/scores.yml",
        "version: 2\nmodels:\n  - name: scores\n    data_tests:\n"
        "      - dbt_expectations.expect_table_row_count_to_be_between: {min_value: 1, "
        "max_value: 10}\n"
        "      - dbt_expectations.expect_compound_columns_to_be_unique: {column_list: [id, "
        "code]}\n"
        "    columns:\n"
        "      - name: points\n        data_tests:\n"
        "          - dbt_expectations.expect_column_values_to_be_between: {min_value: 0, "
        "max_value: 100}\n"
        "          - dbt_expectations.expect_column_values_to_be_between: {min_value: 0, "
        "max_value: 100, row_condition: 'id < 4'}\n"
        "          - dbt_expectations.expect_column_max_to_be_between: {max_value: 500}\n"
        "      - name: code\n        data_tests:\n"
        "          - dbt_expectations.expect_column_values_to_match_regex: {regex: "
        "'^[a-z][0-9]$'}\n"
        "          - dbt_expectations.expect_column_values_to_be_in_set: {value_set: [a1, b2]}\n"
        "          - dbt_expectations.expect_column_to_exist\n"
        "      - name: id\n        data_tests:\n"
        "          - dbt_expectations.expect_column_values_to_be_unique\n"
        "          - dbt_expectations.expect_column_values_to_be_of_type: {column_type: "
        "integer}\n");
  auto r = dbt("build");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string all = r.out + r.err;
  EXPECT_TRUE(contains(all, "PASS=9 ")) << all;  // the model and 8 tests
  EXPECT_TRUE(contains(all, "ERROR=2 ")) << all;
  // dbt names a namespaced test with its namespace (dbt_expectations_...).
  EXPECT_TRUE(contains(all,
                       "Failure in test "
                       "dbt_expectations_expect_column_values_to_be_in_set_scores_code__a1__b2"))
      << all;
  EXPECT_TRUE(contains(all, "id=4, code=NULL, points=400")) << all;
}

}  // namespace
}  // namespace baliza
