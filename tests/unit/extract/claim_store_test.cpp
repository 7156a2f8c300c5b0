#include "extract/duckdb_claim_store.h"

#include <gtest/gtest.h>

#include <set>

#include "db/migrations.h"
#include "extract/writer.h"

namespace baliza::extract {
namespace {

class ClaimStoreTest : public ::testing::Test {
 protected:
  ClaimStoreTest() : conn(Database::open(":memory:")) {
    apply_migrations(conn);
    for (int i = 0; i < 10; ++i) {
      conn.prepare(
              "INSERT INTO planning.task_plan (task_id, endpoint_name, data_date, params, "
              "plan_fingerprint) VALUES ($1, $2, DATE '2024-01-01' + $3::INTEGER, '{}', 'f')")
          .bind(1, "task" + std::to_string(i))
          .bind(2, i % 2 ? "odd" : "even")
          .bind(3, i)
          .execute();
    }
    writer = std::make_unique<Writer>(conn);
    store = std::make_unique<DuckDbClaimStore>(*writer);
  }
  std::int64_t count(const std::string& sql) {
    return writer->call([&](Connection& c) { return std::stoll(c.scalar(sql).value_or("-1")); });
  }

  Connection conn;
  std::unique_ptr<Writer> writer;
  std::unique_ptr<DuckDbClaimStore> store;
  const std::chrono::seconds ttl{60};
};

TEST_F(ClaimStoreTest, ClaimsAreExclusive) {
  auto a = store->claim("w1", 4, ttl, {});
  auto b = store->claim("w2", 4, ttl, {});
  auto c = store->claim("w3", 4, ttl, {});
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(b.size(), 4u);
  EXPECT_EQ(c.size(), 2u);
  std::set<std::string> ids;
  for (auto* v : {&a, &b, &c})
    for (auto& t : *v) EXPECT_TRUE(ids.insert(t.task_id).second) << t.task_id;
  EXPECT_TRUE(store->claim("w4", 4, ttl, {}).empty());
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'claimed'"), 10);
  EXPECT_EQ(a[0].attempts, 1);
  EXPECT_EQ(a[0].data_date, "2024-01-01");  // oldest first
}

TEST_F(ClaimStoreTest, ScopeLimitsWhatIsClaimed) {
  ClaimScope scope;
  scope.endpoints = {"odd"};
  scope.first_date = "2024-01-03";
  scope.last_date = "2024-01-06";
  auto got = store->claim("w1", 10, ttl, scope);
  ASSERT_EQ(got.size(), 2u);  // task3 (01-04) and task5 (01-06)
  EXPECT_EQ(got[0].task_id, "task3");
  EXPECT_EQ(store->count_pending(scope), 0);
  EXPECT_EQ(store->count_pending({}), 8);
  ClaimScope ids;
  ids.task_ids = {"task8"};
  EXPECT_EQ(store->claim("w1", 10, ttl, ids).size(), 1u);
}

TEST_F(ClaimStoreTest, ExpiredClaimsAreReaped) {
  store->claim("dead", 3, std::chrono::seconds(60), {});
  writer->call([](Connection& c) {
    c.execute("UPDATE runtime.task_claims SET expires_at = expires_at - INTERVAL 2 MINUTE");
  });
  auto got = store->claim("alive", 10, ttl, {});
  EXPECT_EQ(got.size(), 10u);  // the 3 expired ones are claimable again
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_claims WHERE status = 'expired'"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_events WHERE event = 'reaped'"), 3);
  EXPECT_EQ(count("SELECT max(attempts) FROM planning.task_plan"), 2);
}

TEST_F(ClaimStoreTest, RenewKeepsClaimsAlive) {
  store->claim("w1", 3, std::chrono::seconds(60), {});
  writer->call([](Connection& c) {
    c.execute("UPDATE runtime.task_claims SET expires_at = expires_at - INTERVAL 2 MINUTE");
  });
  store->renew("w1", ttl);
  EXPECT_EQ(store->reap_expired(), 0);
  writer->call([](Connection& c) {
    c.execute("UPDATE runtime.task_claims SET expires_at = expires_at - INTERVAL 2 MINUTE");
  });
  EXPECT_EQ(store->reap_expired(), 3);
}

TEST_F(ClaimStoreTest, StartWorkerReleasesOrphans) {
  store->claim("old-process", 5, ttl, {});
  EXPECT_EQ(store->start_worker("new-process"), 5);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'pending'"), 10);
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_claims WHERE status = 'orphaned'"), 5);
}

TEST_F(ClaimStoreTest, FinishAndRelease) {
  auto got = store->claim("w1", 3, ttl, {});
  store->finish(got[0], TaskEnd::kDone, "", "run1");
  store->finish(got[1], TaskEnd::kFailed, "page 1: HTTP 422", "run1");
  store->finish(got[2], TaskEnd::kReleased, "interrupted", "run1");
  writer->flush();
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'done'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'failed' AND "
                  "last_error = 'page 1: HTTP 422'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'pending'"), 8);
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_claims WHERE status = 'active'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_claims WHERE status = 'released'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_history WHERE event IN ('done', 'failed', "
                  "'released') AND run_id = 'run1'"),
            3);
}

}  // namespace
}  // namespace baliza::extract
