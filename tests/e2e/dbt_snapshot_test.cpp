// End-to-end: dbt snapshots (timestamp and check strategies, hard deletes) through
// `baliza dbt snapshot`, checked against what DuckDB says the history must be.
#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

class DbtSnapshot : public testing::DbtProject {
 protected:
  void SetUp() override {
    DbtProject::SetUp();
    write("seeds/customers.csv",
          "id,name,updated_at\n1,ana,2024-01-01 00:00:00\n2,bia,2024-01-01 00:00:00\n");
    write("snapshots/customers_snapshot.sql",
          "{% snapshot customers_snapshot %}\n"
          "{{ config(target_schema='snapshots', unique_key='id', strategy='timestamp', "
          "updated_at='updated_at', invalidate_hard_deletes=True) }}\n"
          "select * from {{ ref('customers') }}\n{% endsnapshot %}\n"
          "{% snapshot names_snapshot %}\n"
          "{{ config(unique_key='id', strategy='check', check_cols=['name']) }}\n"
          "select id, name from {{ ref('customers') }}\n{% endsnapshot %}\n");
  }
};

TEST_F(DbtSnapshot, TimestampAndCheckStrategiesKeepHistory) {
  auto first = dbt("build");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(csv("select id, name, dbt_valid_from, dbt_valid_to is null as current from "
                "snapshots.customers_snapshot order by id"),
            "id,name,dbt_valid_from,current\n1,ana,2024-01-01 00:00:00,true\n"
            "2,bia,2024-01-01 00:00:00,true\n");
  // ana renamed (newer updated_at), bia deleted, cris added; a rerun without change is a no-op.
  write("seeds/customers.csv",
        "id,name,updated_at\n1,ana maria,2024-02-01 00:00:00\n3,cris,2024-02-02 00:00:00\n");
  ASSERT_EQ(dbt("seed").exit_code, 0);
  auto second = dbt("snapshot");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  ASSERT_EQ(dbt("snapshot").exit_code, 0);
  EXPECT_EQ(csv("select id, name, dbt_valid_from, dbt_valid_to from snapshots.customers_snapshot "
                "where id <> 2 order by id, dbt_valid_from"),
            "id,name,dbt_valid_from,dbt_valid_to\n"
            "1,ana,2024-01-01 00:00:00,2024-02-01 00:00:00\n"
            "1,ana maria,2024-02-01 00:00:00,\n3,cris,2024-02-02 00:00:00,\n");
  // The deleted key's version is closed (hard deletes invalidated).
  EXPECT_EQ(csv("select count(*) as open from snapshots.customers_snapshot where id = 2 and "
                "dbt_valid_to is null"),
            "open\n0\n");
  // dbt_scd_id is md5(key|updated_at), one per version.
  EXPECT_EQ(csv("select count(*) as bad from snapshots.customers_snapshot where dbt_scd_id <> "
                "md5(cast(id as varchar) || '|' || cast(dbt_updated_at as varchar))"),
            "bad\n0\n");
  // check strategy (target schema main, dbt's default naming): ana changed, cris new.
  EXPECT_EQ(csv("select id, name, dbt_valid_to is null as current from main.names_snapshot "
                "order by id, dbt_valid_from"),
            "id,name,current\n1,ana,false\n1,ana maria,true\n2,bia,true\n3,cris,true\n");
}

TEST_F(DbtSnapshot, ConfigMistakesNameTheSnapshot) {
  write("snapshots/customers_snapshot.sql",
        "{% snapshot customers_snapshot %}\n{{ config(unique_key='id', strategy='timestamp') }}\n"
        "select * from {{ ref('customers') }}\n{% endsnapshot %}\n");
  auto r = dbt("build");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err,
                       "snapshot customers_snapshot (snapshots/customers_snapshot.sql): "
                       "the timestamp strategy needs updated_at"))
      << r.err;
  write("snapshots/customers_snapshot.sql", "{% snapshot customers_snapshot %}\nselect 1\n");
  r = dbt("build");
  EXPECT_EQ(r.exit_code, 2);
  // Found by the template engine, with file:line:column and the fix.
  EXPECT_TRUE(contains(r.err,
                       "unclosed '{% snapshot %}' at snapshots/customers_snapshot.sql:1:1; "
                       "add '{% endsnapshot %}'"))
      << r.err;
}

}  // namespace
}  // namespace baliza
