// End-to-end: `baliza validate` on small projects, one problem each, as a user meets them:
// exit code 2, the file:line of the problem and a fix in the message; and a model contract
// enforced at build time (the old table survives a drifting model).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class Validate : public testing::BalizaCli {
 protected:
  void SetUp() override {
    write("baliza.yml", "name: shop\n");
    write("models/sources.yml", R"(version: 2
sources:
  - name: shop
    tables:
      - name: orders
        columns:
          - {name: id, data_type: integer}
          - {name: customer_id, data_type: integer}
          - {name: amount, data_type: 'decimal(18,2)'}
          - {name: code, data_type: varchar}
      - name: customers
        columns:
          - {name: id, data_type: varchar}
          - {name: name, data_type: varchar}
)");
    write("models/orders.sql",
          "select o.id, o.amount, c.name\nfrom {{ source('shop', 'orders') }} o\n"
          "left join {{ source('shop', 'customers') }} c on c.name = o.code\n");
  }
  void write(const std::string& path, const std::string& content) {
    std::filesystem::create_directories((dir / path).parent_path());
    std::ofstream(dir / path) << content;
  }
  // validate must fail with exit 2 and name `where` in a line that also says `what`.
  void expect_problem(const std::string& where, const std::string& what) {
    auto r = baliza("validate");
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    std::string all = r.out + r.err;
    bool found = false;
    std::size_t pos = 0;
    while ((pos = all.find(where, pos)) != std::string::npos) {
      std::size_t start = all.rfind('\n', pos);
      start = start == std::string::npos ? 0 : start + 1;
      std::size_t end = all.find('\n', pos);
      if (contains(all.substr(start, end - start), what)) found = true;
      pos = end;
    }
    EXPECT_TRUE(found) << "expected '" << where << "' ... '" << what << "' in:\n" << all;
  }
};

TEST_F(Validate, ACleanProjectPasses) {
  auto r = baliza("validate");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out + r.err, "no problems")) << r.out << r.err;
}

TEST_F(Validate, UnknownRef) {
  write("models/totals.sql", "select id\nfrom {{ ref('ordrs') }}\n");
  expect_problem("models/totals.sql:2", "ordrs");
}

TEST_F(Validate, UnknownColumn) {
  write("models/totals.sql", "select id,\n  amout\nfrom {{ ref('orders') }}\n");
  expect_problem("models/totals.sql:2", "amout");
}

TEST_F(Validate, Cycle) {
  write("models/a.sql", "select * from {{ ref('b') }}\n");
  write("models/b.sql", "select * from {{ ref('a') }}\n");
  auto r = baliza("validate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "cycle")) << r.err;
  EXPECT_TRUE(contains(r.err, "models/a.sql")) << r.err;
}

TEST_F(Validate, OrphanedModel) {
  write("models/lonely.sql", "select 1 as one\n");
  expect_problem("models/lonely.sql:1", "orphaned");
}

TEST_F(Validate, SourceNothingReads) {
  write("models/sources2.yml", R"(version: 2
sources:
  - name: legacy
    tables:
      - name: old_orders
        columns:
          - {name: id, data_type: integer}
)");
  expect_problem("models/sources2.yml:5", "nothing reads it");
}

TEST_F(Validate, UnionOfIncompatibleTypes) {
  write("models/ids.sql",
        "select id from {{ ref('orders') }}\nunion all\nselect name from {{ ref('orders') }}\n");
  expect_problem("models/ids.sql:3",
                 "UNION branch 2 gives column 1 (name) as VARCHAR where "
                 "branch 1 gives INTEGER");
}

TEST_F(Validate, JoinKeysOfDifferentTypes) {
  write("models/joined.sql",
        "select o.id, c.name\nfrom {{ source('shop', 'orders') }} o\n"
        "join {{ source('shop', 'customers') }} c on c.id = o.customer_id\n");
  expect_problem("models/joined.sql:3",
                 "join keys of different types: c.id (VARCHAR) vs "
                 "o.customer_id (INTEGER)");
}

TEST_F(Validate, ComparisonThatCastsAColumn) {
  write("models/coded.sql", "select id\nfrom {{ source('shop', 'orders') }}\nwhere code = 42\n");
  expect_problem("models/coded.sql:3", "comparison forces a cast on column code (VARCHAR)");
}

TEST_F(Validate, ContractViolations) {
  write("models/totals.sql", "select id, amount::double as amount from {{ ref('orders') }}\n");
  write("models/totals.yml", R"(version: 2
models:
  - name: totals
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
      - name: amount
        data_type: decimal(18,2)
      - name: currency
        data_type: varchar
)");
  expect_problem("models/totals.yml:3", "column amount is DOUBLE but the contract");
  expect_problem("models/totals.yml:3", "column currency is in the contract");
}

TEST_F(Validate, ContractIsEnforcedAtBuildTimeBeforeTheOldTableIsReplaced) {
  ASSERT_EQ(baliza("query \"create schema shop; create table shop.orders (id integer, customer_id "
                   "integer, amount decimal(18,2), code varchar); insert into shop.orders values "
                   "(1, 1, 9.5, 'a'); create table shop.customers (id varchar, name varchar)\"")
                .exit_code,
            0);
  write("models/totals.sql", "select id, amount from {{ ref('orders') }}\n");
  write("models/totals.yml", R"(version: 2
models:
  - name: totals
    config:
      contract: {enforced: true}
    columns:
      - {name: id, data_type: integer}
      - {name: amount, data_type: 'decimal(18,2)'}
)");
  auto first = baliza("build");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // The model drifts: amount becomes a DOUBLE. The build fails and the table stays DECIMAL.
  write("models/totals.sql", "select id, amount::double as amount from {{ ref('orders') }}\n");
  auto second = baliza("build");
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_TRUE(contains(second.out + second.err, "breaks its contract")) << second.out << second.err;
  EXPECT_TRUE(contains(second.out + second.err, "column amount is DOUBLE"))
      << second.out << second.err;
  EXPECT_EQ(scalar("data/baliza.duckdb",
                   "select data_type from duckdb_columns() where table_name = 'totals' and "
                   "column_name = 'amount'"),
            "\"DECIMAL(18,2)\"");
}

TEST_F(Validate, EstimatesAndBudgets) {
  ASSERT_EQ(baliza("query \"create schema shop; create table shop.orders as select i as id, i % 7 "
                   "as customer_id, i * 1.5 as amount, 'c' || i as code from range(5000) t(i); "
                   "create table shop.customers (id varchar, name varchar)\"")
                .exit_code,
            0);
  ASSERT_EQ(baliza("build").exit_code, 0);
  // No budget: estimates only, exit 0.
  auto plain = baliza("validate --estimate");
  EXPECT_EQ(plain.exit_code, 0) << plain.out << plain.err;
  EXPECT_TRUE(contains(plain.out, "orders")) << plain.out;
  EXPECT_TRUE(contains(plain.out, "5,000")) << plain.out;  // the scan of 5000 orders
  // A project budget the model exceeds: exit 2, the model's file, the fix.
  write("baliza.yml", "name: shop\nbudgets:\n  max_estimated_rows: 100\n");
  auto over = baliza("validate --estimate");
  EXPECT_EQ(over.exit_code, 2) << over.out << over.err;
  EXPECT_TRUE(contains(over.err,
                       "models/orders.sql: model orders: estimated 5,000 rows, over the "
                       "budget of 100"))
      << over.err;
  // The same budget from the environment or --set, with no budgets: in the file.
  write("baliza.yml", "name: shop\n");
  auto from_env = testing::run_command("env -u BALIZA_DB BALIZA_BUDGETS__MAX_ESTIMATED_ROWS=100 " +
                                           std::string(BALIZA_BIN) + " validate --estimate",
                                       dir.path());
  EXPECT_EQ(from_env.exit_code, 2) << from_env.out << from_env.err;
  EXPECT_TRUE(contains(from_env.err, "over the budget of 100")) << from_env.err;
  auto from_set = baliza("--set budgets.max_estimated_rows=100 validate --estimate");
  EXPECT_EQ(from_set.exit_code, 2) << from_set.out << from_set.err;
  EXPECT_TRUE(contains(from_set.err, "over the budget of 100")) << from_set.err;
  write("baliza.yml", "name: shop\nbudgets:\n  max_estimated_rows: 100\n");
  // The model's own budget wins.
  write("models/orders.yml",
        "version: 2\nmodels:\n  - name: orders\n    meta: {max_estimated_rows: 10000}\n");
  EXPECT_EQ(baliza("validate --estimate").exit_code, 0);
  // A bad budget is a usage error at its line.
  write("baliza.yml", "name: shop\nbudgets:\n  max_estimated_rows: lots\n");
  auto bad = baliza("validate --estimate");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.err, "baliza.yml:3")) << bad.err;
}

class DryRunEstimate : public testing::BalizaCli {};

TEST_F(DryRunEstimate, SaysHowLongTheExtractionTakesAtTheConfiguredRate) {
  // 31 daily tasks of one endpoint, no history: one page each, at 2 requests per second.
  auto r = baliza("dry-run --mes 2024-01 --endpoint contratos --rate 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "requests the plan needs, at 2.00 requests/s per host:")) << r.out;
  EXPECT_TRUE(
      contains(r.out, "contratos                           31      0 >=      31 >=    16 s"))
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "data"));  // still writes nothing
}

}  // namespace
}  // namespace baliza
