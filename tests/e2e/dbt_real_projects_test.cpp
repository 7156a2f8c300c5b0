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

}  // namespace
}  // namespace baliza
