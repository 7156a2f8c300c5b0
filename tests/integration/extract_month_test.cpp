// A month of several endpoints against the simulator: record counts equal the ground truth,
// paging, resume, limits, permanent failures, drift, data shifts and replanning.
#include <set>

#include "integration/extract_test_support.h"

namespace baliza::extract_test {
namespace {

// Pages of 10 for contratos, so its days have several pages.
const char* const kSmallPages = R"(
endpoints:
  - name: contratos
    page_size: 10
)";

TEST_F(Extraction, MonthMatchesGroundTruth) {
  start_sim();
  const auto c = config(kSmallPages);
  const auto endpoints = month_endpoints();
  const auto result = extract(c, "2024-01-01:2024-01-31", endpoints);
  EXPECT_EQ(result.exit_code(), 0) << extract::describe_extract_result(result);
  const auto expected = truth(c, endpoints, "20240101", "20240131");
  EXPECT_EQ(stored_counts(false), expected);
  EXPECT_EQ(stored_counts(true), expected);
  EXPECT_GT(expected.at("contratos"), 31 * 10);  // several pages per day
  EXPECT_GT(count("SELECT max(page_number) FROM runtime.task_results"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status <> 'done'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_claims WHERE status = 'active'"), 0);
  EXPECT_EQ(count("SELECT sum(planned) - sum(done) FROM planning.coverage"), 0);
  EXPECT_EQ(duplicate_pages(), 0);
  // The summary agrees with the database.
  EXPECT_EQ(result.total().records,
            expected.at("contratos") + expected.at("contratacoes_publicacao") +
                expected.at("atas_atualizacao") + expected.at("instrumentoscobranca_inclusao") +
                expected.at("pca_atualizacao"));
  // Empty days are completed tasks with a zero-record result.
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan t WHERE NOT EXISTS (SELECT 1 FROM "
                  "runtime.task_results r WHERE r.task_id = t.task_id)"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM meta.execution_log WHERE status = 'success'"), 1);

  // A second run has nothing to do and asks the API nothing.
  sim->reset_stats();
  const auto again = extract(c, "2024-01-01:2024-01-31", endpoints);
  EXPECT_EQ(again.exit_code(), 0);
  EXPECT_EQ(again.total().pages, 0);
  EXPECT_EQ(sim->stats().total_requests, 0u);
}

TEST_F(Extraction, ResumedTaskFetchesOnlyMissingPages) {
  start_sim();
  const auto c = config(kSmallPages);
  ASSERT_EQ(extract(c, "2024-01-10:2024-01-10", {"contratos"}).exit_code(), 0);
  const std::int64_t pages = count("SELECT count(*) FROM runtime.task_results");
  ASSERT_GE(pages, 3);
  // As if a run died after storing pages 1 and 2 only.
  conn->execute("DELETE FROM runtime.task_results WHERE page_number > 2");
  conn->execute("UPDATE planning.task_plan SET status = 'pending'");
  sim->reset_stats();
  const auto resumed = extract(c, "2024-01-10:2024-01-10", {"contratos"});
  EXPECT_EQ(resumed.exit_code(), 0);
  // The missing pages, then page 1 once more: the closing read that proves the total.
  EXPECT_EQ(static_cast<std::int64_t>(sim->stats().total_requests), pages - 2 + 1);
  int page_one = 0;
  for (const auto& r : sim->stats().requests) {
    if (r.target.find("pagina=1&") != std::string::npos) ++page_one;
    EXPECT_EQ(r.target.find("pagina=2&"), std::string::npos) << r.target;
  }
  EXPECT_EQ(page_one, 1);
  EXPECT_EQ(stored_counts(false), truth(c, {"contratos"}, "20240110", "20240110"));
  EXPECT_EQ(duplicate_pages(), 0);
}

TEST_F(Extraction, ConcurrencyAndRateLimitAreRespected) {
  start_sim();
  const auto c = config(std::string(kSmallPages) + R"(
defaults:
  rate_limit: {requests_per_second: 40, burst: 4}
)");
  auto o = options("2024-01-01:2024-01-05", {"contratos", "contratacoes_publicacao"});
  o.concurrency = 3;
  const auto start = std::chrono::steady_clock::now();
  plan(c, "2024-01-01:2024-01-05", {"contratos", "contratacoes_publicacao"});
  const auto result = extract::run_extract(*conn, c, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(result.exit_code(), 0);
  const pncp_sim::Stats stats = sim->stats();
  EXPECT_LE(stats.max_in_flight, 3);
  EXPECT_GT(stats.total_requests, 60u);
  // Token bucket: at most burst + rate x elapsed requests.
  EXPECT_LE(static_cast<double>(stats.total_requests), 4 + 40 * seconds + 1);
  // And over any 1-second window of the simulator's log, at most burst + rate.
  const auto& log = stats.requests;
  for (size_t i = 0, j = 0; i < log.size(); ++i) {
    while (log[i].started - log[j].started > std::chrono::seconds(1)) ++j;
    EXPECT_LE(i - j + 1, 4u + 40u + 1u);
  }
}

TEST_F(Extraction, BadRequestsAreRecordedNotRetried) {
  start_sim();
  // modalidade 99 answers 422; a non-numeric codigoModoDisputa answers 400.
  const auto c = config(R"(
endpoints:
  - name: contratacoes_publicacao
    fan_out: {param: codigoModalidadeContratacao, values: [6, 99]}
  - name: contratacoes_modo_invalido
    path: /v1/contratacoes/publicacao
    window: day
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 50
    page_size_limits: [10, 50]
    params: {codigoModalidadeContratacao: 6, codigoModoDisputa: x}
)");
  const std::vector<std::string> endpoints{"contratacoes_publicacao", "contratacoes_modo_invalido"};
  const auto result = extract(c, "2024-01-02:2024-01-02", endpoints);
  EXPECT_EQ(result.exit_code(), 1);
  EXPECT_EQ(result.total().tasks_failed, 2);
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests WHERE http_status = 422 AND "
                  "attempts = 1 AND error_class = 'permanent' AND error_message LIKE "
                  "'%modalidade de contratação inválido%'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests WHERE http_status = 400 AND "
                  "attempts = 1 AND error_message LIKE '%NumberFormatException%'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'failed' AND "
                  "last_error LIKE 'page 1: HTTP 4%'"),
            2);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'done'"), 1);
  // Not retried: one request per failing URL.
  for (const auto& [status, n] : sim->stats().responses_per_status) {
    if (status == 400 || status == 422) {
      EXPECT_EQ(n, 1u) << status;
    }
  }
}

TEST_F(Extraction, SchemaDriftIsRecorded) {
  auto o = small_sim();
  pncp_sim::SchemaChange change;
  change.kind = pncp_sim::SchemaChangeKind::rename;
  change.endpoint = "/v1/contratos";
  change.from_yyyymmdd = "20240115";
  change.field = "objetoContrato";
  change.new_name = "objetoDoContrato";
  o.schema_changes.push_back(change);
  start_sim(o);
  const auto c = config();
  const auto result = extract(c, "2024-01-10:2024-01-20", {"contratos"});
  ASSERT_EQ(result.exit_code(), 0);
  EXPECT_EQ(result.endpoints.at("contratos").drift, 1);
  EXPECT_EQ(count("SELECT count(*) FROM meta.schema_versions WHERE endpoint = 'contratos'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM meta.schema_versions WHERE endpoint = 'contratos' AND "
                  "changes LIKE '%+ objetoDoContrato: string%' AND changes LIKE "
                  "'%- objetoContrato: string%'"),
            1);
  // A second run knows both shapes: no new version.
  conn->execute("UPDATE planning.task_plan SET status = 'pending'");
  conn->execute("UPDATE runtime.task_results SET superseded_at = completed_at");
  const auto again = extract(c, "2024-01-10:2024-01-20", {"contratos"});
  EXPECT_EQ(again.endpoints.at("contratos").drift, 0);
  EXPECT_EQ(count("SELECT count(*) FROM meta.schema_versions"), 2);
}

TEST_F(Extraction, DataShiftRefetchesSoNoRecordIsMissed) {
  auto o = small_sim();
  pncp_sim::FaultConfig shift;
  shift.kind = pncp_sim::FaultKind::data_shift;
  shift.endpoint = "/v1/contratos";
  shift.count = 3;
  o.faults.push_back(shift);
  start_sim(o);
  const auto c = config(kSmallPages);
  const auto result = extract(c, "2024-01-08:2024-01-12", {"contratos"});
  ASSERT_EQ(result.exit_code(), 0) << extract::describe_extract_result(result);
  EXPECT_GT(result.endpoints.at("contratos").shifts, 0);
  EXPECT_GE(count("SELECT count(DISTINCT task_id) FROM meta.data_shifts"), 3);
  EXPECT_EQ(duplicate_pages(), 0);
  // Per task: the current pages agree on one total, hold exactly that many distinct records,
  // and include every record the API had before the shift.
  Result tasks = conn->query(
      "SELECT task_id, min(total_records), max(total_records), sum(records_count), "
      "CAST(any_value(t.data_date) AS VARCHAR) FROM runtime.task_results r JOIN "
      "planning.task_plan t USING (task_id) WHERE r.superseded_at IS NULL GROUP BY task_id");
  ASSERT_EQ(tasks.row_count(), 5u);
  for (size_t i = 0; i < tasks.row_count(); ++i) {
    const std::string task_id = tasks.get_string(0, i);
    EXPECT_EQ(tasks.get_int64(1, i), tasks.get_int64(2, i));
    EXPECT_EQ(tasks.get_int64(3, i), tasks.get_int64(1, i));
    std::string day = tasks.get_string(4, i);
    day.erase(std::remove(day.begin(), day.end(), '-'), day.end());
    const auto before = pncp_sim::records_for(sim->options(), "/v1/contratos", day, std::nullopt);
    const bool shifted = count("SELECT count(*) FROM meta.data_shifts WHERE task_id = " +
                               quote_literal(task_id)) > 0;
    EXPECT_EQ(tasks.get_int64(3, i), static_cast<std::int64_t>(before.size()) + (shifted ? 3 : 0))
        << day;
    Result ids = conn->query(
        "SELECT DISTINCT json_extract_string(rec, '$.numeroControlePNCP') FROM (SELECT "
        "unnest(json_extract(baliza_payload(p.compressed)::JSON, '$.data[*]')) AS rec FROM "
        "runtime.task_results r JOIN raw.api_requests a USING (request_id) JOIN raw.payloads p "
        "USING (payload_sha256) WHERE r.superseded_at IS NULL AND r.task_id = " +
        quote_literal(task_id) + ")");
    EXPECT_EQ(static_cast<std::int64_t>(ids.row_count()), tasks.get_int64(3, i));
    std::set<std::string> stored;
    for (size_t k = 0; k < ids.row_count(); ++k) stored.insert(ids.get_string(0, k));
    for (const auto& rec : before) {
      EXPECT_TRUE(stored.count(rec["numeroControlePNCP"].get<std::string>())) << day;
    }
  }
  // Superseded pages are kept, not deleted.
  EXPECT_GT(count("SELECT count(*) FROM runtime.task_results WHERE superseded_at IS NOT NULL"), 0);
}

TEST_F(Extraction, ReplanningAfterConfigChangeKeepsHistory) {
  start_sim();
  const auto first = config(R"(
endpoints:
  - name: contratacoes_publicacao
    fan_out: {param: codigoModalidadeContratacao, values: [6, 8]}
)");
  ASSERT_EQ(extract(first, "2024-01-02:2024-01-03", {"contratacoes_publicacao"}).exit_code(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'done'"), 4);
  const auto second = config(R"(
endpoints:
  - name: contratacoes_publicacao
    fan_out: {param: codigoModalidadeContratacao, values: [6, 12]}
)");
  const auto diff = plan(second, "2024-01-02:2024-01-03", {"contratacoes_publicacao"});
  EXPECT_TRUE(diff.config_changed());
  EXPECT_EQ(diff.added, 2);
  EXPECT_EQ(diff.removed, 2);
  EXPECT_EQ(diff.unchanged, 2);
  sim->reset_stats();
  ASSERT_EQ(extract(second, "2024-01-02:2024-01-03", {"contratacoes_publicacao"}).exit_code(), 0);
  EXPECT_EQ(sim->stats().total_requests, 2u);  // only the new modalidade 12 tasks
  // Done tasks of the old config keep their status and their data.
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'done'"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE modalidade = 8 AND status = "
                  "'done' AND removed_at IS NOT NULL"),
            2);
  EXPECT_EQ(count("SELECT count(DISTINCT task_id) FROM runtime.task_results"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_history WHERE modalidade = 8 AND event IN "
                  "('planned', 'claimed', 'done', 'removed')"),
            8);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan_meta"), 2);
}

}  // namespace
}  // namespace baliza::extract_test
