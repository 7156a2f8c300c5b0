// End-to-end: what stopped more public dbt projects (dbt-labs/dbt-utils' integration tests
// with the real package, dbt-duckdb starters; bench/results/dbt.md lists them), each on a
// small project of our own. Expected rows are computed by DuckDB on the same data.
#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

class DbtRealProjects2 : public testing::DbtProject {
 protected:
  // A package of our own, as packages.yml's `local:` names it (what `dbt deps` would link).
  void write_local_package() {
    write("packages.yml", "packages:\n  - local: vendor/helpers\n");
    write("vendor/helpers/dbt_project.yml", "name: helpers\nversion: '1.0'\n");
    write("vendor/helpers/macros/helpers.sql",
          "{% macro slug(s) %}{{ return(modules.re.sub('[^a-z0-9]+', '_', s | lower)) }}"
          "{% endmacro %}\n"
          "{% macro is_relation(obj) %}{{ return(obj is mapping and "
          "obj.get('metadata', {}).get('type', '').endswith('Relation')) }}{% endmacro %}\n"
          "{% test at_most(model, column_name, n) %}\n"
          "{% if not helpers.is_relation(model) %}{{ exceptions.raise_compiler_error("
          "'not a relation: ' ~ model) }}{% endif %}\n"
          "{% set cols = adapter.get_columns_in_relation(model) %}\n"
          "select {{ cols | map(attribute='name') | join(', ') }} from {{ model }} "
          "where {{ column_name }} > {{ n }}\n{% endtest %}\n");
  }
};

// dbt renders every string argument of a generic test natively in the test's context: a list
// from a var, a number from a bare var() call.
TEST_F(DbtRealProjects2, GenericTestArgumentsAreRenderedNatively) {
  write("dbt_project.yml",
        "name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n"
        "vars:\n  codes: ['SE', 'NO']\n  limit_n: 2\n");
  write("seeds/countries.csv", "code,n\nSE,1\nNO,2\nDK,3\nFI,4\n");
  write("macros/tests.sql",
        "{% test above(model, column_name, n) %}select * from {{ model }} "
        "where {{ column_name }} > {{ n + 0 }}{% endtest %}\n");
  write("seeds/schema.yml",
        "version: 2\nseeds:\n  - name: countries\n    columns:\n      - name: code\n"
        "        data_tests:\n          - accepted_values:\n"
        "              values: \"{{ var('codes') }}\"\n"
        "      - name: n\n        data_tests:\n          - above:\n              n: "
        "var('limit_n')\n");
  auto r = dbt("build");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // The same rows DuckDB finds: codes outside the var's list, n above the var.
  std::string outside =
      csv("select count(*) as c from main.countries where code not in ('SE','NO')");
  std::string above = csv("select count(*) as c from main.countries where n > 2");
  EXPECT_EQ(outside, "c\n2\n");
  EXPECT_EQ(above, "c\n2\n");
  EXPECT_TRUE(contains(r.out + r.err, "FAIL 2 test accepted_values_countries_code")) << r.out;
  EXPECT_TRUE(contains(r.out + r.err, "FAIL 2 test above_countries_n")) << r.out;
}

// packages.yml's local packages are read from their folder; a namespaced test uses the package's
// macro even when the root project has one of the same name; `model` is a Relation (a mapping
// dbt_utils checks) whose columns the test can read from the database while the test runs.
TEST_F(DbtRealProjects2, LocalPackagesNamespacedTestsAndRelationArguments) {
  write_local_package();
  write("macros/root_tests.sql",
        "{% test at_most(model, column_name, n) %}select 1 as root_shadow{% endtest %}\n");
  write("models/people.sql",
        "select * from (values (1, 'Ana Maria', 10), (2, 'Bia', 50), (3, 'Caio', 70)) "
        "as t(id, name, score)\n");
  write("models/slugs.sql",
        "select '{{ helpers.slug('Hello, World!') }}' as slug, "
        "{{ helpers.is_relation(this) }} as rel, "
        "{{ helpers.is_relation('x') }} as not_rel\n");
  write("models/schema.yml",
        "version: 2\nmodels:\n  - name: people\n    columns:\n      - name: score\n"
        "        data_tests:\n          - helpers.at_most: {n: 40}\n");
  auto r = dbt("build");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(csv("select * from main.slugs"), "slug,rel,not_rel\nhello_world_,true,false\n")
      << r.out << r.err;
  // dbt names a namespaced test with its namespace; its failing rows are DuckDB's count.
  EXPECT_EQ(csv("select count(*) as c from main.people where score > 40"), "c\n2\n");
  EXPECT_TRUE(contains(r.out + r.err, "FAIL 2 test helpers_at_most_people_score__40")) << r.out;
  auto compiled = dbt("compile -s people");
  EXPECT_EQ(compiled.exit_code, 0) << compiled.err;
}

// A package the project lists but nobody installed: a clear usage error naming the entry,
// as dbt refuses to run without `dbt deps`; built-in packages (dbt_utils) need no install.
TEST_F(DbtRealProjects2, AMissingPackageIsAClearErrorAndBuiltInsNeedNoInstall) {
  write("packages.yml",
        "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n"
        "  - package: elementary-data/elementary\n    version: 0.23.1\n");
  write("models/a.sql", "select 1 as id\n");
  auto r = dbt("build");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "packages.yml:4:5: package elementary-data/elementary")) << r.err;
  EXPECT_TRUE(contains(r.err, "dbt deps")) << r.err;
  EXPECT_FALSE(contains(r.err, "dbt-labs/dbt_utils")) << r.err;

  write("packages.yml", "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n");
  r = dbt("build");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// Jinja as packages write it: {% set ns.x %} blocks, a name set only in an untaken branch is
// Undefined (prints nothing), a macro called without an argument gets Undefined, map() on
// None is empty, run_query's table.columns.items(), load_relation; a typo still fails.
TEST_F(DbtRealProjects2, JinjaThatRealPackagesRelyOn) {
  write("seeds/src.csv", "k,v\na,1\nb,2\n");
  write("macros/m.sql",
        "{% macro label(msg) %}{{ return('[' ~ msg ~ ']') }}{% endmacro %}\n"
        "{% macro cols_of(rel) %}{% set t = run_query('select * from ' ~ rel) %}"
        "{% set out = [] %}{% if execute %}{% for name, col in t.columns.items() %}"
        "{% do out.append(name ~ '=' ~ col.values() | join('+')) %}{% endfor %}{% endif %}"
        "{{ return(out | join(' ')) }}{% endmacro %}\n");
  write("models/j.sql",
        "{% set ns = namespace(msg='') %}{% set ns.msg %}block {{ 1 + 1 }}{% endset %}\n"
        "{% if false %}{% set extra = 'x' %}{% endif %}\n"
        "select '{{ ns.msg }}' as msg, '{{ extra }}' as extra, '{{ label() }}' as lbl, "
        "{{ (none | map('lower') | list) | length }} as n, "
        "'{{ cols_of(ref('src')) }}' as cols, "
        "{{ load_relation(ref('src')) is not none }} as loaded\n");
  auto r = dbt("build");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(csv("select * from main.j"),
            "msg,extra,lbl,n,cols,loaded\nblock 2,,[],0,k=a+b v=1+2,true\n");

  write("models/typo.sql", "select {{ colunms }} as x\n");
  r = dbt("compile -s typo");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "undefined name 'colunms' at models/typo.sql:1:11")) << r.err;
}

// A model whose macros query a seed (dbt_utils.get_column_values) cannot render before the
// seed is loaded: ls and build still work, the model renders when it runs.
TEST_F(DbtRealProjects2, AModelThatQueriesASeedBuildsAfterIt) {
  write("seeds/colors.csv", "color\nred\nblue\nred\n");
  write("models/pivot.sql",
        "{% set colors = dbt_utils.get_column_values(ref('colors'), 'color', "
        "order_by='color') %}\nselect {% for c in colors %}"
        "{{ loop.index }} as {{ c }}{{ ',' if not loop.last }}{% endfor %}\n");
  auto ls = dbt("ls");
  EXPECT_EQ(ls.exit_code, 0) << ls.out << ls.err;
  auto r = dbt("build");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(csv("select * from main.pivot"), "blue,red\n1,2\n");
}

// Jinja in a yml config value is rendered with the vars and the profile's target before it is
// checked (dbt-expectations' tests: enabled: "{{ target.type not in ['bigquery'] }}").
TEST_F(DbtRealProjects2, JinjaInYmlConfigValuesIsRenderedFirst) {
  write("models/m.sql", "select 1 as id union all select 1\n");
  write("models/schema.yml",
        "version: 2\nmodels:\n  - name: m\n    config:\n"
        "      materialized: \"{{ 'table' if target.type == 'duckdb' else 'view' }}\"\n"
        "    columns:\n      - name: id\n        data_tests:\n"
        "          - unique:\n              config:\n"
        "                enabled: \"{{ target.type not in ['bigquery'] }}\"\n"
        "          - not_null:\n              config:\n"
        "                enabled: \"{{ target.type == 'bigquery' }}\"\n");
  auto r = dbt("build");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // unique runs (and fails), not_null is disabled
  EXPECT_EQ(relations(), "table_schema,table_name,table_type\nmain,m,BASE TABLE\n");
  EXPECT_TRUE(contains(r.out + r.err, "FAIL 1 test unique_m_id")) << r.out << r.err;
  EXPECT_FALSE(contains(r.out + r.err, "not_null_m_id")) << r.out << r.err;

  write("models/schema.yml",
        "version: 2\nmodels:\n  - name: m\n    config:\n"
        "      enabled: \"{{ var('flag', 'maybe') }}\"\n");
  r = dbt("build");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "enabled")) << r.err;
  EXPECT_TRUE(contains(r.err, "maybe")) << r.err;
}

}  // namespace
}  // namespace baliza
