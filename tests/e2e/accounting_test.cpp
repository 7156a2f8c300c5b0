// End-to-end: the record ledger on a small custom (non-PNCP) project with a filter, a dedup, a
// join and a quarantine split; a shape the SQL cannot tell (not accounted unless declared); the
// completion gate (everything quarantined, an equation broken by hand) failing the run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class Accounting : public testing::BalizaCli {
 protected:
  void SetUp() override {
    write("baliza.yml",
          "name: shop\ndatabase: data/shop.duckdb\nvars:\n  min_amount: 0\n"
          "models:\n  shop:\n    +materialized: table\n");
    // 8 order versions: ids 1..5; id 2 and 3 twice (older versions), id 4 three times; one
    // negative amount (quarantined); customer 9 does not exist (dropped by the join); one order
    // is cancelled (a named filter).
    write("seeds/orders.csv",
          "id,version,customer,amount,status\n"
          "1,1,1,10,paid\n"
          "2,1,2,20,paid\n2,2,2,25,paid\n"
          "3,1,9,30,paid\n3,2,9,31,paid\n"
          "4,1,1,-5,paid\n"
          "5,1,2,50,cancelled\n"
          "6,1,1,60,paid\n");
    write("seeds/customers.csv", "id,name\n1,ana\n2,bia\n");
    write("models/stg_orders.sql",
          "select * from {{ ref('orders') }}\n"
          "where amount >= {{ var('min_amount') }}\n"
          "qualify row_number() over (partition by id order by version desc) = 1\n");
    write("models/bad_orders.sql",
          "select * from {{ ref('orders') }} where not (amount >= {{ var('min_amount') }})\n");
    write("models/paid_orders.sql",
          "select o.id, o.amount, c.name\n"
          "from {{ ref('stg_orders') }} o join {{ ref('customers') }} c on c.id = o.customer\n"
          "where o.status <> 'cancelled'\n");
    write("models/per_customer.sql",
          "select name, count(*) as orders, sum(amount) as total from {{ ref('paid_orders') }} "
          "group by all\n");
    // FULL OUTER JOIN: the SQL does not say where rows go.
    write("models/everyone.sql",
          "select coalesce(o.customer, c.id) as customer from {{ ref('orders') }} o\n"
          "full outer join {{ ref('customers') }} c on c.id = o.customer\n");
  }

  void write(const std::string& path, const std::string& content) {
    std::filesystem::path p = dir / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  std::string scalar(const std::string& sql) { return BalizaCli::scalar("data/shop.duckdb", sql); }
  std::string ledger(const std::string& model, const std::string& kind) {
    return scalar(
        "select string_agg(coalesce(relation, '') || '|' || reason || '=' || rows, '; ' "
        "order by line) from meta.record_ledger where model = '" +
        model + "' and kind = '" + kind +
        "' and run_id = (select max_by(run_id, computed_at) "
        "from meta.model_accounting)");
  }
  std::string status(const std::string& model) {
    return scalar("select status || ' ' || equation from meta.model_accounting where model = '" +
                  model + "' order by computed_at desc limit 1");
  }
};

TEST_F(Accounting, LedgerSplitsEveryInputRowByReason) {
  auto r = baliza("build");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "record accounting")) << r.err;

  // stg_orders: 8 rows in = 5 kept + 2 older versions + 1 quarantined in main.bad_orders.
  EXPECT_EQ(status("stg_orders"), "balanced 8 = 5 + 2 + 1");
  EXPECT_EQ(ledger("stg_orders", "input"), "main.orders|=8");
  EXPECT_EQ(ledger("stg_orders", "error"),
            "main.bad_orders|rows failing where (amount >= 0) (1 rejected)=1");
  EXPECT_EQ(ledger("stg_orders", "filtered"), "|dedup: one row per [id] (row_number() = 1)=2");
  EXPECT_EQ(ledger("stg_orders", "output"), "main.stg_orders|=5");
  // paid_orders: 5 in; order 3 has no customer (join drops it), order 5 is cancelled.
  EXPECT_EQ(status("paid_orders"), "balanced 5 = 3 + 2 + 0");
  EXPECT_EQ(ledger("paid_orders", "filtered"),
            "|join main.customers (no match)=1; |where (o.status != 'cancelled')=1");
  EXPECT_EQ(ledger("paid_orders", "lookup"), "main.customers|INNER join=2");
  // per_customer: 3 rows folded into 2 groups (ana: orders 1 and 6; bia: order 2).
  EXPECT_EQ(status("per_customer"), "balanced 3 = 3 + 0 + 0");
  EXPECT_EQ(ledger("per_customer", "groups"), "|groups of the kept rows=2");
  // The quarantine model itself: 8 in, 1 kept, 7 did not fail the check.
  EXPECT_EQ(status("bad_orders"), "balanced 8 = 1 + 7 + 0");
  // A full outer join is not derivable: reported, never balanced.
  EXPECT_EQ(scalar("select status || ': ' || message from meta.model_accounting "
                   "where model = 'everyone'"),
            "not_accounted: FULL join with main.customers");
  EXPECT_TRUE(contains(r.err, "not accounted: FULL join")) << r.err;
}

TEST_F(Accounting, DeclaredShapeIsAccountedAndFalseOptsOut) {
  write("models/everyone.sql",
        "{{ config(accounting={'input': 'orders', 'filters': {'no customer': 'customer > 2'}}) }}\n"
        "select coalesce(o.customer, c.id) as customer from {{ ref('orders') }} o\n"
        "left join {{ ref('customers') }} c on c.id = o.customer where o.customer <= 2\n");
  write("models/per_customer.sql",
        "{{ config(accounting=false) }}\nselect name, count(*) as orders from {{ "
        "ref('paid_orders') }} "
        "group by all\n");
  auto r = baliza("build");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(status("everyone"), "balanced 8 = 6 + 2 + 0");
  EXPECT_EQ(ledger("everyone", "filtered"), "|no customer (declared: customer > 2)=2");
  EXPECT_EQ(scalar("select status || ': ' || message from meta.model_accounting "
                   "where model = 'per_customer'"),
            "not_accounted: disabled in the model's config (accounting: false)");
}

TEST_F(Accounting, EverythingQuarantinedFailsTheRun) {
  auto r = baliza("build --vars '{\"min_amount\": 1000}'");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err,
                       "FAIL main.stg_orders: quarantined 100.0% reaches "
                       "error_quarantined_share 1"))
      << r.err;
  EXPECT_EQ(scalar("select gate from meta.model_accounting where model = 'stg_orders'"), "error");
  // A threshold can be lowered per model (here: warn only).
  write(
      "models/stg_orders.sql",
      "{{ config(accounting={'error_quarantined_share': none, 'warn_quarantined_share': 0.9}) }}\n"
      "select * from {{ ref('orders') }} where amount >= {{ var('min_amount') }}\n"
      "qualify row_number() over (partition by id order by version desc) = 1\n");
  r = baliza("build --vars '{\"min_amount\": 1000}' -s stg_orders");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "WARN main.stg_orders: quarantined 100.0%")) << r.err;
}

TEST_F(Accounting, BrokenEquationFailsTheRunNamingTheModel) {
  ASSERT_EQ(baliza("build").exit_code, 0);
  // A quarantined row disappears: the next run of stg_orders no longer balances.
  ASSERT_EQ(baliza("--db data/shop.duckdb query \"delete from main.bad_orders\"").exit_code, 0);
  auto r = baliza("transform -s stg_orders");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "FAIL main.stg_orders: equation does not hold: 8 != 5 + 2 + 0"))
      << r.err;
  EXPECT_EQ(status("stg_orders"), "unbalanced 8 != 5 + 2 + 0");
  // An output drop against the previous run is reported too.
  ASSERT_EQ(
      baliza("--db data/shop.duckdb query \"delete from main.orders where id > 2\"").exit_code, 0);
  r = baliza("transform -s stg_orders");
  EXPECT_TRUE(contains(r.err, "output dropped from 5 rows: 60.0% reaches warn_output_drop 0.5"))
      << r.err;
}

TEST_F(Accounting, UnnestCountsComeFromTheBuildAndAreMeasuredOnIncrements) {
  // A pure unnest: on a full build its input (list elements) is the rows its SQL produced, as
  // DuckDB counted them; an incremental run (its table is not this run's output alone) measures
  // the lists on the data, so a row lost from the table fails the equation.
  write("seeds/baskets.csv", "id,items\n1,a;b;c\n2,d\n3,e;f\n");
  write("models/items.sql",
        "{{ config(materialized='incremental', unique_key='id') }}\n"
        "select b.id, unnest(string_split(b.items, ';')) as item from {{ ref('baskets') }} b\n"
        "{% if is_incremental() %}where b.id not in (select id from {{ this }}){% endif %}\n");
  auto r = baliza("build -s baskets items");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(status("items"), "balanced 6 = 6 + 0 + 0");
  EXPECT_EQ(ledger("items", "input"),
            "main.baskets|list elements unnested (the rows its SQL produced in this build: "
            "DuckDB's count)=6");
  ASSERT_EQ(
      baliza("--db data/shop.duckdb query \"delete from main.items where item = 'f'\"").exit_code,
      0);
  r = baliza("transform -s items");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(status("items"), "unbalanced 6 != 5 + 0 + 0");
  EXPECT_EQ(ledger("items", "input"), "main.baskets|list elements unnested=6");
}

TEST_F(Accounting, IncrementalModelKeepsEarlierPeriodsAndStillBalances) {
  // A yearly model (as the workforce example's events): it merges one year per run on its key,
  // selecting that year with two WHERE conjuncts from an input that itself grows each run. In the
  // second year its table also holds the first year's rows, which this run's SQL does not
  // produce: they are a `kept` line, and the equation holds on this run's rows (before, it read
  // "20 != 8 + 16 + 0").
  std::string census = "year,id,status\n";
  const char* statuses[] = {"hired", "active", "left", "active", "promoted"};
  for (int year : {2025, 2026})
    for (int id = 1; id <= 10; ++id)
      census +=
          std::to_string(year) + "," + std::to_string(id) + "," + statuses[(id + year) % 5] + "\n";
  write("seeds/census.csv", census);
  write("models/history.sql",
        "{{ config(materialized='incremental', unique_key=['year', 'id']) }}\n"
        "select * from {{ ref('census') }} where year <= {{ var('year', 2025) }}\n");
  write("models/events.sql",
        "{{ config(materialized='incremental', unique_key=['year', 'id']) }}\n"
        "select year, id, status from {{ ref('history') }}\n"
        "where year = {{ var('year', 2025) }} and status in ('hired', 'left')\n");
  const std::string events_2025 = "4", events_2026 = "4";  // (id + year) % 5 in {0, 2}
  auto first = baliza("build -s census history events --vars '{\"year\": 2025}'");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(status("history"), "balanced 20 = 10 + 10 + 0");
  EXPECT_EQ(status("events"), "balanced 10 = " + events_2025 + " + 6 + 0");
  EXPECT_EQ(ledger("events", "kept"), "");
  auto second = baliza("build -s history events --vars '{\"year\": 2026}'");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(scalar("select count(*) from main.events"), "8");
  EXPECT_EQ(status("history"), "balanced 20 = 20 + 0 + 0");
  // 20 history rows: 10 of 2025 filtered by the year, 6 of 2026 by the status, 4 written now.
  EXPECT_EQ(status("events"), "balanced 20 = " + events_2026 + " + 16 + 0");
  EXPECT_EQ(ledger("events", "kept"),
            "main.events|rows kept from earlier runs (keys this run's SQL does not produce)=" +
                events_2025);
  EXPECT_EQ(ledger("events", "output"), "main.events|=8");
}

}  // namespace
}  // namespace baliza
