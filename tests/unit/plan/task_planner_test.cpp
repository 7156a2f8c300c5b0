// Planning the shipped PNCP config: counts, ids, params, rules, plan_diff, page URLs, speed.
#include "plan/task_planner.h"

#include <set>
#include <unordered_set>

#include <gtest/gtest.h>

#include "core/sha256.h"
#include "plan/page_url.h"
#include "plan_test_support.h"

namespace baliza::plan {
namespace {

using test::usage_message;

Date day_of(const char* iso) {
  return parse_iso_date(iso);
}

EndpointsConfig shipped() {
  return parse_endpoints({builtin_pncp_endpoints()});
}

EndpointsConfig shipped_with(const std::string& user_yaml) {
  return parse_endpoints({builtin_pncp_endpoints(), ConfigSource{"user.yaml", user_yaml}});
}

Plan plan_of(const EndpointsConfig& config, DateRange range, std::vector<std::string> endpoints,
             const char* today = "2030-01-01") {
  return plan_tasks(config, PlanRequest{range, std::move(endpoints), day_of(today)});
}

size_t count_for(const Plan& plan, const std::string& endpoint) {
  size_t n = 0;
  for (const auto& t : plan.tasks) n += t.endpoint_name == endpoint;
  return n;
}

TEST(TaskPlanner, AMonthOfContratacoesIsDaysTimesFourteenModalidades) {
  const Plan jan = plan_of(shipped(), parse_month("2024-01"), {"contratacoes_publicacao"});
  EXPECT_EQ(jan.tasks.size(), 31u * 14u);
  const Plan feb = plan_of(shipped(), parse_month("2024-02"), {"contratacoes_publicacao"});
  EXPECT_EQ(feb.tasks.size(), 29u * 14u);
  std::set<int> modalidades;
  for (const auto& t : feb.tasks) modalidades.insert(t.modalidade.value());
  EXPECT_EQ(modalidades.size(), 14u);
  EXPECT_EQ(*modalidades.begin(), 1);
  EXPECT_EQ(*modalidades.rbegin(), 14);
}

TEST(TaskPlanner, EveryEnabledEndpointOfAPastMonth) {
  const Plan plan = plan_of(shipped(), parse_month("2024-01"), {}, "2024-06-01");
  EXPECT_EQ(count_for(plan, "contratacoes_publicacao"), 31u * 14u);
  EXPECT_EQ(count_for(plan, "contratacoes_atualizacao"), 31u * 14u);
  EXPECT_EQ(count_for(plan, "contratacoes_proposta"), 0u);  // all before today
  EXPECT_EQ(count_for(plan, "contratos"), 31u);
  EXPECT_EQ(count_for(plan, "contratos_atualizacao"), 31u);
  EXPECT_EQ(count_for(plan, "atas_atualizacao"), 31u);
  EXPECT_EQ(count_for(plan, "pca_atualizacao"), 1u);  // month window
  EXPECT_EQ(count_for(plan, "instrumentoscobranca_inclusao"), 1u);
  EXPECT_EQ(plan.tasks.size(), 2u * 31u * 14u + 3u * 31u + 2u);
  EXPECT_EQ(plan.skipped.size(), 31u);  // the proposta days
  EXPECT_EQ(plan.fingerprint, config_fingerprint(shipped()));
  for (const auto& t : plan.tasks) EXPECT_EQ(t.plan_fingerprint, plan.fingerprint);
}

TEST(TaskPlanner, ParamsAreCanonicalJsonWithoutPaging) {
  const Plan plan = plan_of(shipped(), parse_day("2024-01-15"), {"contratacoes_publicacao"});
  ASSERT_EQ(plan.tasks.size(), 14u);
  const Task& t = plan.tasks[5];
  EXPECT_EQ(t.modalidade, 6);
  EXPECT_EQ(t.params,
            R"({"codigoModalidadeContratacao":6,"dataFinal":"20240115","dataInicial":"20240115"})");
  EXPECT_EQ(t.data_date, day_of("2024-01-15"));
  EXPECT_EQ(t.window_end, day_of("2024-01-15"));

  const Plan pca = plan_of(shipped(), parse_month("2024-02"), {"pca_atualizacao"});
  ASSERT_EQ(pca.tasks.size(), 1u);
  EXPECT_EQ(pca.tasks[0].params, R"({"dataFim":"20240229","dataInicio":"20240201"})");
  EXPECT_FALSE(pca.tasks[0].modalidade.has_value());
}

TEST(TaskPlanner, TaskIdIsTheDocumentedHashAndIsDeterministic) {
  const Plan a = plan_of(shipped(), parse_day("2024-01-15"), {"contratos"});
  const Plan b = plan_of(shipped(), parse_day("2024-01-15"), {"contratos"});
  ASSERT_EQ(a.tasks.size(), 1u);
  const std::string expected = sha256_hex(
                                   "contratos\n2024-01-15\n2024-01-15\n"
                                   R"({"dataFinal":"20240115","dataInicial":"20240115"})")
                                   .substr(0, 32);
  EXPECT_EQ(a.tasks[0].task_id, expected);
  EXPECT_EQ(b.tasks[0].task_id, expected);
  EXPECT_EQ(make_task_id("contratos", parse_day("2024-01-15"), a.tasks[0].params), expected);
}

TEST(TaskPlanner, IdsSurviveUnrelatedConfigChangesButNotParamChanges) {
  const DateRange jan = parse_month("2024-01");
  const Plan base = plan_of(shipped(), jan, {"contratos"});
  const Plan unrelated = plan_of(
      shipped_with("defaults: {concurrency: 1}\nendpoints:\n  - {name: contratos, page_size: 100}"),
      jan, {"contratos"});
  ASSERT_EQ(base.tasks.size(), unrelated.tasks.size());
  EXPECT_NE(base.fingerprint, unrelated.fingerprint);
  for (size_t i = 0; i < base.tasks.size(); ++i) {
    EXPECT_EQ(base.tasks[i].task_id, unrelated.tasks[i].task_id);
  }
  const Plan filtered = plan_of(
      shipped_with("endpoints:\n  - {name: contratos, params: {cnpjOrgao: '00394544000185'}}"), jan,
      {"contratos"});
  ASSERT_EQ(filtered.tasks.size(), base.tasks.size());
  EXPECT_NE(filtered.tasks[0].task_id, base.tasks[0].task_id);
  EXPECT_EQ(filtered.tasks[0].params,
            R"({"cnpjOrgao":"00394544000185","dataFinal":"20240101","dataInicial":"20240101"})");
}

TEST(TaskPlanner, PropostaSkipsWindowsEndingBeforeTodayWithAReason) {
  const Plan plan = plan_of(shipped(), parse_range("2024-01-10:2024-01-20"),
                            {"contratacoes_proposta"}, "2024-01-15");
  EXPECT_EQ(plan.tasks.size(), 6u * 14u);  // the 15th .. the 20th
  ASSERT_EQ(plan.skipped.size(), 5u);      // the 10th .. the 14th, once per window
  EXPECT_EQ(plan.skipped.back().window, parse_day("2024-01-14"));
  EXPECT_EQ(plan.skipped.back().endpoint_name, "contratacoes_proposta");
  EXPECT_NE(plan.skipped.back().reason.find("dataFinal 20240114 is before today (2024-01-15)"),
            std::string::npos)
      << plan.skipped.back().reason;
  EXPECT_EQ(plan.tasks.front().params,
            R"({"codigoModalidadeContratacao":1,"dataFinal":"20240115"})");
}

TEST(TaskPlanner, WindowsStartingAfterTodayAreSkipped) {
  const Plan plan =
      plan_of(shipped(), parse_range("2024-01-10:2024-01-20"), {"contratos"}, "2024-01-15");
  EXPECT_EQ(plan.tasks.size(), 6u);
  EXPECT_EQ(plan.tasks.back().data_date, day_of("2024-01-15"));
  ASSERT_EQ(plan.skipped.size(), 5u);
  EXPECT_NE(plan.skipped[0].reason.find("after today"), std::string::npos);
}

TEST(TaskPlanner, EndpointFilterRejectsUnknownAndDisabledNames) {
  std::string message =
      usage_message([] { plan_of(shipped(), parse_month("2024-01"), {"contratoz"}); });
  EXPECT_NE(message.find("unknown endpoint 'contratoz'; choose from: contratacoes_publicacao"),
            std::string::npos)
      << message;
  message = usage_message([] { plan_of(shipped(), parse_month("2024-01"), {"pca"}); });
  EXPECT_NE(message.find("endpoint 'pca' is disabled (requires codigoClassificacaoSuperior"),
            std::string::npos)
      << message;
}

TEST(TaskPlanner, YearWindowsWithTextFanOut) {
  const EndpointsConfig config = shipped_with(
      "endpoints:\n  - name: pca\n    enabled: true\n"
      "    fan_out: {param: codigoClassificacaoSuperior, values: ['979', '0123']}\n");
  const Plan plan = plan_of(config, parse_range("2023-12-01:2024-01-31"), {"pca"});
  ASSERT_EQ(plan.tasks.size(), 4u);  // years 2023 and 2024 x two codes
  EXPECT_EQ(plan.tasks[0].params, R"({"anoPca":2023,"codigoClassificacaoSuperior":"979"})");
  EXPECT_EQ(plan.tasks[1].params, R"({"anoPca":2023,"codigoClassificacaoSuperior":"0123"})");
  EXPECT_EQ(plan.tasks[2].data_date, day_of("2024-01-01"));
  EXPECT_EQ(plan.tasks[2].window_end, day_of("2024-12-31"));
  EXPECT_FALSE(plan.tasks[0].modalidade.has_value());  // "0123" is text, not a code
}

TEST(TaskPlanner, ADateWindowOver365DaysIsSplitBeforeItIsAsked) {
  // A year window of a dated endpoint: 2024 has 366 days, one more than the API accepts.
  const EndpointsConfig config =
      shipped_with("endpoints:\n  - name: contratos\n    window: year\n");
  const Plan plan = plan_of(config, parse_range("2023-06-01:2024-02-01"), {"contratos"});
  ASSERT_EQ(plan.tasks.size(), 3u);  // 2023 whole (365 days), 2024 in two
  EXPECT_EQ(plan.tasks[0].data_date, day_of("2023-01-01"));
  EXPECT_EQ(plan.tasks[0].window_end, day_of("2023-12-31"));
  EXPECT_EQ(plan.tasks[1].data_date, day_of("2024-01-01"));
  EXPECT_EQ(plan.tasks[1].window_end, day_of("2024-12-30"));
  EXPECT_EQ(plan.tasks[2].data_date, day_of("2024-12-31"));
  EXPECT_EQ(plan.tasks[2].window_end, day_of("2024-12-31"));
  EXPECT_NE(plan.tasks[1].params.find("\"dataFinal\":\"20241230\""), std::string::npos)
      << plan.tasks[1].params;
  const auto parts = split_window(parse_range("2024-01-01:2024-01-10"), 4);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2], (DateRange{day_of("2024-01-09"), day_of("2024-01-10")}));
}

TEST(PlanDiff, SplitsAddedRemovedAndUnchanged) {
  const Plan old_plan = plan_of(shipped(), parse_range("2024-01-01:2024-01-20"), {"contratos"});
  const Plan new_plan = plan_of(shipped(), parse_range("2024-01-11:2024-01-31"), {"contratos"});
  std::vector<std::string> old_ids;
  for (const auto& t : old_plan.tasks) old_ids.push_back(t.task_id);
  const PlanDiff diff = plan_diff(old_ids, new_plan.tasks);
  EXPECT_EQ(diff.unchanged.size(), 10u);  // the 11th .. the 20th
  EXPECT_EQ(diff.added.size(), 11u);      // the 21st .. the 31st
  EXPECT_EQ(diff.removed.size(), 10u);    // the 1st .. the 10th
  EXPECT_EQ(diff.removed.front(), old_plan.tasks.front().task_id);
  EXPECT_EQ(diff.added.back(), new_plan.tasks.back().task_id);
  EXPECT_EQ(diff.unchanged.front(), old_plan.tasks[10].task_id);
  const PlanDiff same = plan_diff(old_ids, old_plan.tasks);
  EXPECT_TRUE(same.added.empty());
  EXPECT_TRUE(same.removed.empty());
  EXPECT_EQ(same.unchanged, old_ids);
}

TEST(PageUrl, BuildsTheFullQueryFromTheTaskAlone) {
  const EndpointsConfig config = shipped();
  const Plan plan = plan_of(config, parse_day("2024-01-15"), {"contratacoes_publicacao"});
  EXPECT_EQ(page_url(config, plan.tasks[5], 3),
            "https://pncp.gov.br/api/consulta/v1/contratacoes/publicacao"
            "?codigoModalidadeContratacao=6&dataFinal=20240115&dataInicial=20240115"
            "&pagina=3&tamanhoPagina=50");
  EXPECT_EQ(page_url(config, "instrumentoscobranca_inclusao",
                     R"({"dataFinal":"20240131","dataInicial":"20240101"})", 1),
            "https://pncp.gov.br/api/consulta/v1/instrumentoscobranca/inclusao"
            "?dataFinal=20240131&dataInicial=20240101&pagina=1&tamanhoPagina=100");
}

TEST(PageUrl, EncodesValuesAndRejectsBadInput) {
  const EndpointsConfig config = shipped();
  EXPECT_EQ(url_encode("São Paulo/SP&x=1"), "S%C3%A3o%20Paulo%2FSP%26x%3D1");
  EXPECT_EQ(page_url(config, "contratos", R"({"uf":"R O"})", 2),
            "https://pncp.gov.br/api/consulta/v1/contratos?uf=R%20O&pagina=2&tamanhoPagina=500");
  EXPECT_NE(usage_message([&] { page_url(config, "gone", "{}", 1); }).find("'gone'"),
            std::string::npos);
  for (const char* bad : {"not json", R"({"a":[1]})"}) {
    try {
      page_url(config, "contratos", bad, 1);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kFailure) << bad;
    }
  }
}

// CPU time (user + system) rather than wall time: the machine running the tests is shared, and
// a busy neighbour must not fail this test; page faults of the task memory still count.
// Planning speed is measured by bench/ (bench/results/extract.md), not asserted here.
TEST(TaskPlanner, PlansOverAHundredThousandTasksWithDistinctIds) {
  const EndpointsConfig config = shipped();
  const Plan plan =
      plan_of(config, parse_range("2005-01-01:2024-12-31"), {"contratacoes_publicacao"});
  EXPECT_EQ(plan.tasks.size(), 7305u * 14u);  // 20 years with 5 leap days, x 14 modalidades
  std::unordered_set<std::string_view> ids;
  for (const auto& t : plan.tasks) ids.insert(t.task_id);
  EXPECT_EQ(ids.size(), plan.tasks.size());
}

}  // namespace
}  // namespace baliza::plan
