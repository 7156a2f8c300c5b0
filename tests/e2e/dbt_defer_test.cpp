// End-to-end: `baliza dbt run --defer --state <dir>` as dbt documents it. Two targets of one
// profile share a DuckDB file in two schemas (prod and dev; dbt's generate_schema_name puts
// each target's models in its schema). Production is built and its manifest kept as the
// state; a dev run of one model then reads the parents it does not build from production when
// dev does not have them, its own when it does, and always production's with --favor-state.
#include <filesystem>

#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

class DbtDefer : public testing::DbtProject {
 protected:
  void SetUp() override {
    DbtProject::SetUp();
    write("profiles.yml",
          "shop:\n  target: dev\n  outputs:\n"
          "    dev: {type: duckdb, path: shop.duckdb, schema: dev, threads: 2}\n"
          "    prod: {type: duckdb, path: shop.duckdb, schema: prod, threads: 2}\n");
    write("seeds/raw_orders.csv", "id,amount\n1,10\n2,20\n3,30\n");
    write("models/staging/stg_orders.sql",
          "select id, amount * 2 as amount2 from {{ ref('raw_orders') }}\n");
    write("models/marts/order_totals.sql",
          "select count(*) as n, sum(amount2) as total from {{ ref('stg_orders') }}\n");
  }

  // Builds production and keeps its manifest in prod-state/, as a deployment would.
  void build_production() {
    auto prod = dbt("build --target prod");
    ASSERT_EQ(prod.exit_code, 0) << prod.err;
    std::filesystem::create_directories(dir / "prod-state");
    std::filesystem::copy_file(dir / "target" / "manifest.json",
                               dir / "prod-state" / "manifest.json",
                               std::filesystem::copy_options::overwrite_existing);
  }
};

TEST_F(DbtDefer, ASelectedModelBuildsAgainstTheDeferredParents) {
  build_production();
  EXPECT_EQ(csv("select n, total from prod.order_totals"), "n,total\n3,120\n");

  auto run = dbt("run -s order_totals --defer --state prod-state");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // stg_orders and the seed raw_orders are not in dev: both come from production.
  EXPECT_TRUE(contains(run.err, "deferring 2 unselected nodes")) << run.err;
  EXPECT_EQ(csv("select n, total from dev.order_totals"), "n,total\n3,120\n");
  // Nothing else was built or loaded in dev (the deferred seed was not loaded either).
  EXPECT_EQ(csv("select table_name from information_schema.tables where table_schema = 'dev' "
                "order by 1"),
            "table_name\norder_totals\n");

  // Without --defer the same run has no stg_orders to read.
  write("models/marts/order_totals_again.sql",
        "select count(*) as n from {{ ref('stg_orders') }}\n");
  auto plain = dbt("run -s order_totals_again");
  EXPECT_EQ(plain.exit_code, 1) << plain.err;
  EXPECT_TRUE(contains(plain.err, "stg_orders")) << plain.err;
}

TEST_F(DbtDefer, AParentThatExistsHereIsUsedUnlessFavorStateIsGiven) {
  build_production();
  // Dev has its own, different data: two orders.
  write("seeds/raw_orders.csv", "id,amount\n1,10\n2,20\n");
  auto dev = dbt("build -s +stg_orders");
  ASSERT_EQ(dev.exit_code, 0) << dev.err;

  auto own = dbt("run -s order_totals --defer --state prod-state");
  ASSERT_EQ(own.exit_code, 0) << own.err;
  EXPECT_TRUE(contains(own.err, "deferring 0 unselected nodes")) << own.err;
  EXPECT_EQ(csv("select n, total from dev.order_totals"), "n,total\n2,60\n");

  auto favor = dbt("run -s order_totals --defer --favor-state --state prod-state");
  ASSERT_EQ(favor.exit_code, 0) << favor.err;
  EXPECT_TRUE(contains(favor.err, "deferring 2 unselected nodes")) << favor.err;
  EXPECT_EQ(csv("select n, total from dev.order_totals"), "n,total\n3,120\n");
}

TEST_F(DbtDefer, DeferNeedsAReadableStateManifest) {
  auto no_state = dbt("run -s order_totals --defer");
  EXPECT_EQ(no_state.exit_code, 2) << no_state.err;
  EXPECT_TRUE(contains(no_state.err, "--defer needs --state")) << no_state.err;
  std::filesystem::create_directories(dir / "empty-state");
  auto missing = dbt("run -s order_totals --defer --state empty-state");
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_TRUE(contains(missing.err, "manifest.json")) << missing.err;
}

}  // namespace
}  // namespace baliza
