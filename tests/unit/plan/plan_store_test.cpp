#include "plan/plan_store.h"

#include <gtest/gtest.h>

#include <chrono>

#include "db/migrations.h"
#include "unit/plan/plan_test_support.h"

namespace baliza::plan {
namespace {

using namespace std::chrono;

const char* const kEndpoints = R"(endpoints:
  - name: contratos
    path: /v1/contratos
    window: day
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 500
  - name: compras
    path: /v1/contratacoes/publicacao
    window: day
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 50
    fan_out: {param: codigoModalidadeContratacao, values: [6, 8]}
)";

class PlanStoreTest : public ::testing::Test {
 protected:
  PlanStoreTest() : conn(Database::open(":memory:")) { apply_migrations(conn); }

  PlanApplyResult plan(const std::string& yaml, const std::string& month, bool dry_run = false,
                       std::vector<std::string> endpoints = {}) {
    const EndpointsConfig config =
        parse_endpoints(std::string(test::kDefaults) + yaml, "endpoints.yaml");
    PlanRequest request{parse_month(month), endpoints, Date{2024y / 12 / 31}};
    const Plan p = plan_tasks(config, request);
    return apply_plan(conn, config, p, PlanScope{request.range, endpoints}, dry_run, "run-1");
  }
  int64_t count(const std::string& sql) { return std::stoll(conn.scalar(sql).value_or("-1")); }

  Connection conn;
};

TEST_F(PlanStoreTest, FirstPlanAddsEveryTask) {
  auto r = plan(kEndpoints, "2024-01");
  EXPECT_EQ(r.added, 31 + 31 * 2);
  EXPECT_EQ(r.removed, 0);
  EXPECT_EQ(r.unchanged, 0);
  EXPECT_FALSE(r.config_changed());
  EXPECT_EQ(count("select count(*) from planning.task_plan where status = 'pending'"), 93);
  EXPECT_EQ(count("select count(*) from planning.task_events where event = 'planned'"), 93);
  EXPECT_EQ(count("select task_count from planning.task_plan_meta"), 93);
  ASSERT_EQ(r.endpoints.size(), 2u);
  EXPECT_EQ(r.endpoints[0].endpoint, "compras");
  EXPECT_EQ(r.endpoints[0].pending, 62);
}

TEST_F(PlanStoreTest, ReplanningIsIdempotent) {
  plan(kEndpoints, "2024-01");
  auto again = plan(kEndpoints, "2024-01");
  EXPECT_EQ(again.added, 0);
  EXPECT_EQ(again.removed, 0);
  EXPECT_EQ(again.unchanged, 93);
  EXPECT_EQ(count("select count(*) from planning.task_plan"), 93);
  EXPECT_EQ(count("select count(*) from planning.plan_runs"), 2);
}

TEST_F(PlanStoreTest, DryRunWritesNothing) {
  auto r = plan(kEndpoints, "2024-01", true);
  EXPECT_EQ(r.added, 93);
  EXPECT_TRUE(r.dry_run);
  EXPECT_EQ(count("select count(*) from planning.task_plan"), 0);
  EXPECT_EQ(count("select count(*) from planning.plan_runs"), 0);
}

TEST_F(PlanStoreTest, ConfigChangeKeepsHistory) {
  plan(kEndpoints, "2024-01");
  // One task done, one failed: a replan must keep them.
  conn.execute(
      "update planning.task_plan set status = 'done' where endpoint_name = 'compras' and "
      "data_date = '2024-01-02' and modalidade = 8");
  conn.execute(
      "update planning.task_plan set status = 'failed' where endpoint_name = 'compras' and "
      "data_date = '2024-01-03' and modalidade = 8");
  std::string changed = kEndpoints;
  changed.replace(changed.find("[6, 8]"), 6, "[6, 9]");
  auto r = plan(changed, "2024-01");
  EXPECT_TRUE(r.config_changed());
  EXPECT_EQ(r.added, 31);
  EXPECT_EQ(r.removed, 31);
  EXPECT_EQ(r.unchanged, 62);
  EXPECT_EQ(r.changes.size(), kMaxListedChanges);
  // The done task stays done (out of the plan); the others are 'removed', never deleted.
  EXPECT_EQ(count("select count(*) from planning.task_plan"), 124);
  EXPECT_EQ(count("select count(*) from planning.task_plan where status = 'done' and removed_at "
                  "is not null"),
            1);
  EXPECT_EQ(count("select count(*) from planning.task_plan where status = 'removed'"), 30);
  EXPECT_EQ(count("select count(*) from planning.task_history where event = 'removed'"), 31);
  EXPECT_EQ(count("select count(*) from planning.task_plan_meta"), 2);
  EXPECT_EQ(count("select count(*) from planning.task_history where detail like '%(was failed)'"),
            1);
  // Back to the first config: the removed tasks are restored (the failed one as pending, to
  // be tried again), the done one is still done.
  auto back = plan(kEndpoints, "2024-01");
  EXPECT_EQ(back.restored, 31);
  EXPECT_EQ(back.removed, 31);
  EXPECT_EQ(count("select count(*) from planning.task_plan where modalidade = 8 and status = "
                  "'pending'"),
            30);
  EXPECT_EQ(count("select count(*) from planning.task_plan where modalidade = 8 and status = "
                  "'done' and removed_at is null"),
            1);
}

TEST_F(PlanStoreTest, EndpointFilterLimitsTheScope) {
  plan(kEndpoints, "2024-01");
  // Planning only contratos must not remove the compras tasks.
  auto r = plan(kEndpoints, "2024-01", false, {"contratos"});
  EXPECT_EQ(r.removed, 0);
  EXPECT_EQ(r.unchanged, 31);
  // Dropping compras from the config removes its tasks on a full replan.
  std::string only_contratos = kEndpoints;
  only_contratos.erase(only_contratos.find("  - name: compras"));
  auto full = plan(only_contratos, "2024-01");
  EXPECT_EQ(full.removed, 62);
  EXPECT_EQ(count("select sum(removed) from planning.coverage where endpoint_name = 'compras'"),
            62);
}

TEST_F(PlanStoreTest, AnotherMonthIsOutOfScope) {
  plan(kEndpoints, "2024-01");
  auto feb = plan(kEndpoints, "2024-02");
  EXPECT_EQ(feb.added, 29 * 3);
  EXPECT_EQ(feb.removed, 0);
  EXPECT_EQ(count("select count(*) from planning.coverage"), 60 * 2);
}

TEST_F(PlanStoreTest, DescribeNamesEndpointsAndChanges) {
  const std::string text = describe_plan_result(plan(kEndpoints, "2024-01"));
  EXPECT_NE(text.find("contratos"), std::string::npos) << text;
  EXPECT_NE(text.find("first 20 of 93 changes"), std::string::npos) << text;
  EXPECT_NE(text.find("+ compras 2024-01-01"), std::string::npos) << text;
}

}  // namespace
}  // namespace baliza::plan
