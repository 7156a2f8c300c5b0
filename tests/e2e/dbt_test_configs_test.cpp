// End-to-end: dbt's data test configs on a small dbt project: severity, where, limit, fail_calc,
// warn_if / error_if, store_failures / store_failures_as, from a test's yml config (and the
// legacy top-level keys), dbt_project.yml's data_tests: tree, a singular test's config() and a
// {% test %} macro's config(); --store-failures and --warn-error. Every expected status and
// failure count is computed by DuckDB directly on the seed's CSV, with dbt's rule written as SQL:
// error_if first (severity error only), then warn_if, else pass with failures 0.
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

constexpr const char* kOrders =
    "id,customer,amount,status\n"
    "1,ana,10,paid\n2,ana,-3,paid\n3,bia,7,open\n4,bia,,open\n5,bia,-2,refunded\n"
    "6,caio,,paid\n7,duda,12,lost\n8,edu,-1,open\n9,edu,,paid\n10,fabi,30,paid\n";

class DbtTestConfigs : public testing::DbtProject {
 protected:
  void write_project() {
    write("dbt_project.yml",
          "name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n"
          "models:\n  shop:\n    +materialized: view\n"
          // Every test declared under models/audited keeps its failing rows, as views.
          "data_tests:\n  shop:\n    audited:\n      +store_failures: true\n"
          "      +store_failures_as: view\n");
    write("seeds/orders.csv", kOrders);
    write("seeds/schema.yml",
          "version: 2\nseeds:\n  - name: orders\n    columns:\n"
          "      - name: amount\n        data_tests:\n"
          "          - not_null\n"
          "          - expression_is_true:\n              arguments: {expression: '>= 0'}\n"
          "              config: {limit: 2, store_failures: true}\n"
          "      - name: customer\n        data_tests:\n"
          "          - unique:\n              config: {warn_if: '>1', error_if: '>5'}\n"
          "      - name: status\n        data_tests:\n"
          "          - accepted_values:\n              values: [paid, open]\n"
          "              severity: warn\n              error_if: '!= 0'\n");
    write("models/audited/orders_v.sql", "select * from {{ ref('orders') }}\n");
    // The macro's config() is the default of every instance; an instance's yml config wins.
    write("macros/excess_over.sql",
          "{% test excess_over(model, column_name, cap) %}\n"
          "{{ config(fail_calc='sum(excess)', error_if='>10') }}\n"
          "select {{ column_name }} - {{ cap }} as excess from {{ model }}\n"
          "where {{ column_name }} > {{ cap }}\n{% endtest %}\n");
    write("models/audited/schema.yml",
          "version: 2\nmodels:\n  - name: orders_v\n    columns:\n"
          "      - name: customer\n        data_tests:\n"
          "          - unique:\n              config: {fail_calc: 'sum(n_records)', "
          "error_if: '>=7', store_failures_as: ephemeral}\n"
          "      - name: amount\n        data_tests:\n"
          "          - not_null:\n              error_if: '>100'\n"
          "              where: \"status != 'lost'\"\n"
          "          - excess_over:\n              arguments: {cap: 10}\n"
          "          - excess_over:\n              arguments: {cap: 5}\n"
          "              config: {error_if: '>100'}\n");
    write("tests/big_amounts.sql",
          "{{ config(severity='warn', warn_if='>= 2') }}\n"
          "select * from {{ ref('orders') }} where amount > 20\n");
    write("tests/negative_amounts.sql",
          "{{ config(warn_if='>= 2', error_if='>= 4') }}\n"
          "select * from {{ ref('orders') }} where amount < 0\n");
  }

  // unique_id prefix (test.shop.<name>) -> {status, failures} from target/run_results.json.
  std::map<std::string, std::pair<std::string, long long>> results() {
    std::ifstream in(dir / "target/run_results.json");
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    std::map<std::string, std::pair<std::string, long long>> out;
    if (doc.is_discarded()) {
      ADD_FAILURE() << "run_results.json unreadable";
      return out;
    }
    for (const auto& r : doc["results"]) {
      std::string id = r["unique_id"];
      if (id.rfind("test.", 0) != 0) continue;
      out[id] = {r["status"], r["failures"].is_null() ? -1 : r["failures"].get<long long>()};
    }
    return out;
  }

  // The one result whose unique_id starts with test.shop.<prefix>, as "status failures".
  std::string result(const std::string& prefix) {
    std::string found;
    int n = 0;
    for (const auto& [id, r] : results()) {
      if (id.rfind("test.shop." + prefix, 0) != 0) continue;
      found = r.first + " " + std::to_string(r.second);
      ++n;
    }
    EXPECT_EQ(n, 1) << prefix;
    return found;
  }

  // DuckDB's own answer: `value_sql` computes fail_calc's value over the seed (column v),
  // `warn` / `error` are the thresholds as SQL on v ("" for a severity warn test's error).
  std::string expected(const std::string& value_sql, const std::string& warn,
                       const std::string& error) {
    std::string e = error.empty() ? "false" : "v " + error;
    std::string out = csv("with o as (select * from read_csv('seeds/orders.csv')), x as (" +
                          value_sql + ") select case when " + e + " then 'fail' when v " + warn +
                          " then 'warn' else 'pass' end || ' ' || case when " + e + " or v " +
                          warn + " then v else 0 end as r from x");
    return out.substr(out.find('\n') + 1, out.rfind('\n') - out.find('\n') - 1);
  }
};

TEST_F(DbtTestConfigs, StatusesAndFailuresAreDbts) {
  write_project();
  // Not `build`: there a failing test of orders would skip orders_v and its tests.
  ASSERT_EQ(dbt("seed").exit_code, 0);
  ASSERT_EQ(dbt("run").exit_code, 0);
  auto r = dbt("test");
  EXPECT_EQ(r.exit_code, 1) << r.err;  // some tests fail
  // Defaults: fail_calc count(*), warn_if / error_if != 0.
  EXPECT_EQ(result("not_null_orders_amount"),
            expected("select count(*) as v from o where amount is null", "!= 0", "!= 0"));
  // limit: at most 2 failing rows are counted (and stored).
  EXPECT_EQ(result("expression_is_true_orders_amount"),
            expected("select count(*) as v from (select * from o where not (amount >= 0) limit 2)",
                     "!= 0", "!= 0"));
  // warn_if / error_if thresholds on the number of duplicated values.
  std::string dup_values =
      "select count(*) as v from (select customer from o group by customer having count(*) > 1)";
  EXPECT_EQ(result("unique_orders_customer"), expected(dup_values, ">1", ">5"));
  // severity warn: error_if is never checked (legacy top-level keys).
  EXPECT_EQ(result("accepted_values_orders_status"),
            expected("select count(distinct status) as v from o where status not in ('paid', "
                     "'open')",
                     "!= 0", ""));
  // fail_calc sum(n_records): rows in duplicated groups, not groups.
  EXPECT_EQ(result("unique_orders_v_customer"),
            expected("select sum(n) as v from (select count(*) as n from o group by customer "
                     "having count(*) > 1)",
                     "!= 0", ">=7"));
  // Legacy error_if with where: error_if false, warn_if (default) true -> warn.
  EXPECT_EQ(result("not_null_orders_v_amount"),
            expected("select count(*) as v from o where status != 'lost' and amount is null",
                     "!= 0", ">100"));
  // The {% test %} macro's config(): fail_calc sum(excess), error_if >10 ...
  EXPECT_EQ(result("excess_over_orders_v_10__amount"),
            expected("select sum(amount - 10) as v from o where amount > 10", "!= 0", ">10"));
  // ... unless the instance's yml sets error_if.
  EXPECT_EQ(result("excess_over_orders_v_5__amount"),
            expected("select sum(amount - 5) as v from o where amount > 5", "!= 0", ">100"));
  // A singular test's own config().
  EXPECT_EQ(result("big_amounts"),
            expected("select count(*) as v from o where amount > 20", ">= 2", ""));
  EXPECT_EQ(result("negative_amounts"),
            expected("select count(*) as v from o where amount < 0", ">= 2", ">= 4"));
  // dbt's messages and progress lines.
  EXPECT_TRUE(contains(r.err, "Got 3 results, configured to warn if >1")) << r.err;
  EXPECT_TRUE(contains(r.err, "Got 7 results, configured to fail if >=7")) << r.err;
  EXPECT_TRUE(contains(r.err, "WARN 3 test unique_orders_customer")) << r.err;
}

TEST_F(DbtTestConfigs, StoredFailuresAreTheFailingRowsInTheAuditSchema) {
  write_project();
  ASSERT_EQ(dbt("seed").exit_code, 0);
  ASSERT_EQ(dbt("run").exit_code, 0);
  ASSERT_EQ(dbt("test").exit_code, 1);
  // Where each test's rows went: tables (store_failures), views (data_tests: tree's
  // store_failures_as), nothing for store_failures_as ephemeral or tests without the config.
  EXPECT_EQ(csv("select table_schema, table_name, table_type from information_schema.tables "
                "where table_schema like '%dbt_test__audit' order by table_name"),
            "table_schema,table_name,table_type\n"
            "main_dbt_test__audit,excess_over_orders_v_10__amount,VIEW\n"
            "main_dbt_test__audit,excess_over_orders_v_5__amount,VIEW\n"
            "main_dbt_test__audit,expression_is_true_orders_amount___0,BASE TABLE\n"
            "main_dbt_test__audit,not_null_orders_v_amount,VIEW\n");
  // The stored rows are the failing rows, limit applied.
  EXPECT_EQ(csv("select count(*) as n, count(*) filter (where amount < 0) as negative from "
                "main_dbt_test__audit.expression_is_true_orders_amount___0"),
            "n,negative\n2,2\n");
  EXPECT_EQ(csv("select list_sort(list(excess)) as e from "
                "main_dbt_test__audit.excess_over_orders_v_10__amount"),
            csv("select list_sort(list(amount - 10)) as e from read_csv('seeds/orders.csv') where "
                "amount > 10"));
  // Replaced on every run, also when nothing fails any more.
  write("seeds/orders.csv", "id,customer,amount,status\n1,ana,10,paid\n");
  ASSERT_EQ(dbt("seed").exit_code, 0);
  dbt("test");
  EXPECT_EQ(csv("select count(*) as n from "
                "main_dbt_test__audit.expression_is_true_orders_amount___0"),
            "n\n0\n");
}

TEST_F(DbtTestConfigs, StoreFailuresAndWarnErrorFlags) {
  write("seeds/orders.csv", kOrders);
  write("seeds/schema.yml",
        "version: 2\nseeds:\n  - name: orders\n    columns:\n"
        "      - name: amount\n        data_tests:\n"
        "          - not_null:\n              config: {severity: warn}\n"
        "      - name: customer\n        data_tests:\n"
        "          - unique:\n              config: {store_failures: false, severity: warn}\n");
  auto warned = dbt("build --store-failures");
  EXPECT_EQ(warned.exit_code, 0) << warned.err;
  EXPECT_TRUE(contains(warned.err, "WARN=2")) << warned.err;
  // --store-failures stores the test without the config; store_failures: false wins over it.
  EXPECT_EQ(csv("select table_name from information_schema.tables where table_schema = "
                "'main_dbt_test__audit' order by 1"),
            "table_name\nnot_null_orders_amount\n");
  EXPECT_EQ(csv("select count(*) as n from main_dbt_test__audit.not_null_orders_amount"),
            csv("select count(*) as n from read_csv('seeds/orders.csv') where amount is null"));
  auto strict = dbt("test --warn-error");
  EXPECT_EQ(strict.exit_code, 1) << strict.err;
  EXPECT_TRUE(contains(strict.err, "configured to fail if != 0")) << strict.err;
  EXPECT_EQ(result("unique_orders_customer"), "fail 3");
}

TEST_F(DbtTestConfigs, BadValuesNameTheFileAndTheFix) {
  write("seeds/orders.csv", kOrders);
  write("seeds/schema.yml",
        "version: 2\nseeds:\n  - name: orders\n    columns:\n"
        "      - name: amount\n        data_tests:\n"
        "          - not_null:\n              config: {limit: many}\n");
  auto bad_limit = dbt("build");
  EXPECT_EQ(bad_limit.exit_code, 2) << bad_limit.err;
  EXPECT_TRUE(contains(bad_limit.err, "limit must be a whole number")) << bad_limit.err;
  EXPECT_TRUE(contains(bad_limit.err, "seeds/schema.yml:8")) << bad_limit.err;

  write("seeds/schema.yml",
        "version: 2\nseeds:\n  - name: orders\n    columns:\n"
        "      - name: amount\n        data_tests:\n"
        "          - not_null:\n              config: {store_failures_as: tabel}\n");
  auto bad_as = dbt("build");
  EXPECT_EQ(bad_as.exit_code, 2) << bad_as.err;
  EXPECT_TRUE(contains(bad_as.err, "did you mean 'table'")) << bad_as.err;

  // A fail_calc that is NULL when no row fails: dbt's error, with the fix.
  write("seeds/schema.yml",
        "version: 2\nseeds:\n  - name: orders\n    columns:\n"
        "      - name: id\n        data_tests:\n"
        "          - not_null:\n              config: {fail_calc: 'sum(id)'}\n");
  auto null_calc = dbt("build");
  EXPECT_EQ(null_calc.exit_code, 1) << null_calc.err;
  EXPECT_TRUE(contains(null_calc.err, "returned NULL")) << null_calc.err;
  EXPECT_TRUE(contains(null_calc.err, "coalesce(sum(id), 0)")) << null_calc.err;
  EXPECT_TRUE(contains(null_calc.err, "seeds/schema.yml:7")) << null_calc.err;
}

}  // namespace
}  // namespace baliza
