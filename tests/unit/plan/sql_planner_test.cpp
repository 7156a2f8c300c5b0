// Tasks planned from SQL over staged data (plan/sql_planner.h), relative base URLs
// (plan/base_url.h) and URLs with path parameters (plan/page_url.h).
#include "plan/sql_planner.h"

#include <gtest/gtest.h>

#include <chrono>

#include "db/migrations.h"
#include "plan/base_url.h"
#include "plan/page_url.h"
#include "plan/plan_store.h"
#include "plan/task_planner.h"
#include "unit/plan/plan_test_support.h"

namespace baliza::plan {
namespace {

using namespace std::chrono;

const char* const kEndpoints = R"(endpoints:
  - name: compras
    path: /v1/contratacoes/publicacao
    window: day
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 50
  - name: itens
    path: /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens
    base_url: ../pncp
    body: array
    page_size: 500
    count_path: /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens/quantidade
    from_sql:
      after: [compras_staged]
      query: select cnpj, ano, sequencial, dia as data_date, versao as version from staged.compras
  - name: resultados
    path: /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens/{numeroItem}/resultados
    base_url: ../pncp
    body: array
    paged: false
    from_sql:
      query: select 1 as cnpj
)";

EndpointsConfig config() {
  return parse_endpoints(std::string(test::kDefaults) + kEndpoints, "endpoints.yaml");
}

TEST(BaseUrl, RelativeToTheTopLevelOne) {
  EXPECT_EQ(resolve_base_url("https://pncp.gov.br/api/consulta", "../pncp"),
            "https://pncp.gov.br/api/pncp");
  EXPECT_EQ(resolve_base_url("http://127.0.0.1:8080/api/consulta/", "../pncp"),
            "http://127.0.0.1:8080/api/pncp");
  EXPECT_EQ(resolve_base_url("http://h/a/b", "./c"), "http://h/a/b/c");
  EXPECT_EQ(resolve_base_url("http://h", "../../x"), "http://h/x");  // never above the host
  EXPECT_EQ(resolve_base_url("http://h/a", "https://other/x"), "https://other/x");
  EXPECT_FALSE(is_relative_base_url("https://pncp.gov.br/api/pncp"));
  const EndpointsConfig c = config();
  EXPECT_EQ(c.find("itens")->base_url, "http://127.0.0.1:1/pncp");
  EXPECT_EQ(c.find("itens")->base_url_ref, "../pncp");
}

TEST(PageUrl, PathParametersFillThePathAndVersionIsNeverSent) {
  const EndpointsConfig c = config();
  EXPECT_EQ(page_url(c, "itens",
                     R"({"_versao":"2024-03-05T10:00:00","ano":2024,"cnpj":"00394460005887",)"
                     R"("sequencial":12})",
                     2),
            "http://127.0.0.1:1/pncp/v1/orgaos/00394460005887/compras/2024/12/itens?pagina=2&"
            "tamanhoPagina=500");
  EXPECT_EQ(
      page_url(c, "resultados", R"({"ano":2024,"cnpj":"1","numeroItem":3,"sequencial":12})", 1),
      "http://127.0.0.1:1/pncp/v1/orgaos/1/compras/2024/12/itens/3/resultados");
  EXPECT_THROW(page_url(c, "itens", R"({"ano":2024,"cnpj":"1"})", 1), Error);
}

TEST(PageUrl, CountUrlFillsTheCountPathWithoutPaging) {
  const EndpointsConfig c = config();
  EXPECT_EQ(count_url(c, "itens",
                      R"({"_versao":"v","ano":2024,"cnpj":"00394460005887","sequencial":12})"),
            "http://127.0.0.1:1/pncp/v1/orgaos/00394460005887/compras/2024/12/itens/quantidade");
  EXPECT_THROW(
      count_url(c, "resultados", R"({"ano":2024,"cnpj":"1","numeroItem":3,"sequencial":12})"),
      Error);  // no count_path
}

TEST(EndpointConfigCountPath, OnlyOnPagedArraysAndWithThePathsParameters) {
  const auto with = [](const std::string& extra) {
    return std::string(test::kDefaults) + R"(endpoints:
  - name: itens
    path: /v1/x/{a}/itens
    page_size: 50
    from_sql: {query: select 1 as a}
)" + extra;
  };
  std::string m = test::usage_message(
      [&] { parse_endpoints(with("    count_path: /v1/x/{a}/n\n"), "endpoints.yaml"); });
  EXPECT_NE(m.find("paged bare-array endpoints only"), std::string::npos) << m;
  EXPECT_NE(m.find("endpoints.yaml:"), std::string::npos) << m;
  m = test::usage_message([&] {
    parse_endpoints(with("    body: array\n    count_path: /v1/x/{b}/n\n"), "endpoints.yaml");
  });
  EXPECT_NE(m.find("uses {b}"), std::string::npos) << m;
  const EndpointsConfig ok =
      parse_endpoints(with("    body: array\n    count_path: /v1/x/{a}/n\n"), "endpoints.yaml");
  EXPECT_EQ(ok.find("itens")->count_path, "/v1/x/{a}/n");
}

TEST(EndpointConfigFromSql, ErrorsNameTheKeyAndSuggestTheFix) {
  const std::string no_query = std::string(test::kDefaults) + R"(endpoints:
  - name: itens
    path: /v1/x/{a}
    page_size: 50
    from_sql: {after: [m]}
)";
  std::string m = test::usage_message([&] { parse_endpoints(no_query, "endpoints.yaml"); });
  EXPECT_NE(m.find("missing required key 'query'"), std::string::npos) << m;
  const std::string by_date = std::string(test::kDefaults) + R"(endpoints:
  - name: itens
    path: /v1/x/{a}
    window: day
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 50
)";
  m = test::usage_message([&] { parse_endpoints(by_date, "endpoints.yaml"); });
  EXPECT_NE(m.find("from_sql"), std::string::npos) << m;
  EXPECT_NE(m.find("endpoints.yaml:"), std::string::npos) << m;
  const std::string bad_body = std::string(test::kDefaults) + R"(endpoints:
  - name: a
    path: /v1/a
    window: day
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 50
    body: list
)";
  m = test::usage_message([&] { parse_endpoints(bad_body, "endpoints.yaml"); });
  EXPECT_NE(m.find("body 'list'"), std::string::npos) << m;
}

TEST(TaskPlanner, SqlEndpointsAreNeverPlannedByDate) {
  const EndpointsConfig c = config();
  const Plan p = plan_tasks(c, PlanRequest{parse_month("2024-03"), {}, Date{2024y / 12 / 31}});
  for (const Task& t : p.tasks) EXPECT_EQ(t.endpoint_name, "compras");
  EXPECT_EQ(p.tasks.size(), 31u);
}

class SqlPlannerTest : public ::testing::Test {
 protected:
  SqlPlannerTest() : conn(Database::open(":memory:")) { apply_migrations(conn); }

  SqlEndpointPlan plan(const std::string& month = "2024-03") {
    SqlPlanResult r =
        plan_from_sql(conn, c, SqlPlanRequest{parse_month(month), {"itens"}}, false, "run-1");
    last_pending = r.pending_task_ids;
    return r.endpoints.at(0);
  }
  int64_t count(const std::string& sql) { return std::stoll(conn.scalar(sql).value_or("-1")); }

  EndpointsConfig c = config();
  Connection conn;
  std::vector<std::string> last_pending;
};

TEST_F(SqlPlannerTest, NothingStagedYetSkipsWithTheReason) {
  const SqlEndpointPlan p = plan();
  EXPECT_NE(p.skipped.find("not staged yet"), std::string::npos) << p.skipped;
  EXPECT_EQ(count("select count(*) from planning.task_plan"), 0);
}

TEST_F(SqlPlannerTest, NewParentsNewVersionsAndUnchangedOnes) {
  conn.execute(
      "create schema staged; create table staged.compras as select * from (values "
      "('111', 2024, 1, date '2024-03-01', 'v1'), ('111', 2024, 2, date '2024-03-02', 'v1'), "
      "('222', 2024, 3, date '2024-04-01', 'v1')) t(cnpj, ano, sequencial, dia, versao)");
  SqlEndpointPlan p = plan();
  EXPECT_EQ(p.parents, 2);  // the April purchase is another period
  EXPECT_EQ(p.added, 2);
  EXPECT_EQ(p.pending, 2);
  EXPECT_EQ(last_pending.size(), 2u);
  EXPECT_EQ(count("select count(*) from planning.task_plan where endpoint_name = 'itens' and "
                  "status = 'pending' and params like '{\"_versao\":\"v1\",\"ano\":2024,%'"),
            2);
  // Replanning changes nothing; done tasks are not asked again.
  conn.execute("update planning.task_plan set status = 'done'");
  p = plan();
  EXPECT_EQ(p.added, 0);
  EXPECT_EQ(p.done, 2);
  EXPECT_TRUE(last_pending.empty());
  // A new version of one purchase: a new task, and the old one leaves the plan (still done).
  conn.execute("update staged.compras set versao = 'v2' where sequencial = 2");
  p = plan();
  EXPECT_EQ(p.added, 1);
  EXPECT_EQ(p.superseded, 1);
  EXPECT_EQ(p.done, 1);
  EXPECT_EQ(p.pending, 1);
  EXPECT_EQ(count("select count(*) from planning.task_plan where removed_at is not null and "
                  "status = 'done' and params like '%\"v1\"%\"sequencial\":2}'"),
            1);
  EXPECT_EQ(count("select count(*) from planning.task_events where event = 'superseded'"), 1);
  // Going back to the old version restores its task (done: nothing to fetch).
  conn.execute("update staged.compras set versao = 'v1' where sequencial = 2");
  p = plan();
  EXPECT_EQ(p.added, 0);
  EXPECT_EQ(p.done, 2);
  EXPECT_EQ(p.superseded, 1);
}

TEST_F(SqlPlannerTest, DateReplanNeverRemovesSqlTasks) {
  conn.execute(
      "create schema staged; create table staged.compras as select '111' as cnpj, 2024 as ano, "
      "1 as sequencial, date '2024-03-01' as dia, 'v1' as versao");
  plan();
  const Plan p = plan_tasks(c, PlanRequest{parse_month("2024-03"), {}, Date{2024y / 12 / 31}});
  const PlanApplyResult r =
      apply_plan(conn, c, p, PlanScope{parse_month("2024-03"), {}}, false, "run-2");
  EXPECT_EQ(r.removed, 0);
  EXPECT_EQ(count("select count(*) from planning.task_plan where endpoint_name = 'itens' and "
                  "removed_at is null"),
            1);
}

TEST_F(SqlPlannerTest, AQueryWithoutAPathColumnIsAUsageErrorWithItsLocation) {
  conn.execute("create schema staged; create table staged.compras as select 1 as cnpj");
  const std::string m = test::usage_message([&] { plan(); });
  EXPECT_NE(m.find("from_sql query of endpoint itens at endpoints.yaml:"), std::string::npos) << m;
  EXPECT_NE(m.find("fix the query"), std::string::npos) << m;
}

}  // namespace
}  // namespace baliza::plan
