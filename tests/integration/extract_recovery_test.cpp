// Recovery against the simulator: recovery-status tells what failed and what to do,
// retry-failed re-queues and completes it, verify compares stored pages with the live API.
#include "integration/extract_test_support.h"
#include "ops/recovery.h"

namespace baliza::extract_test {
namespace {

const plan::DateRange kJanuaryFirstWeek = plan::parse_range("2024-01-01:2024-01-07");

TEST_F(Extraction, RecoveryStatusThenRetryFailed) {
  auto o = small_sim();
  o.faults.push_back(pncp_sim::parse_fault("fail_first:endpoint=/v1/contratos,count=3,status=503"));
  start_sim(o);
  const auto c = config(R"(
defaults:
  retry: {max_attempts: 2, base_backoff_ms: 1, max_backoff_ms: 5}
endpoints:
  - name: contratos
    page_size: 10
)");
  const std::vector<std::string> endpoints{"contratos", "atas_atualizacao"};
  const auto first = extract(c, "2024-01-01:2024-01-07", endpoints);
  ASSERT_EQ(first.exit_code(), 1);

  auto status = ops::recovery_status(*conn, kJanuaryFirstWeek, "2024-01");
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0].endpoint, "atas_atualizacao");
  EXPECT_EQ(status[0].next_step, "complete");
  EXPECT_EQ(status[1].endpoint, "contratos");
  EXPECT_EQ(status[1].planned, 7);
  EXPECT_GT(status[1].failed, 0);
  EXPECT_GT(status[1].unresolved_failures, 0);
  EXPECT_EQ(status[1].next_step, "baliza retry-failed 2024-01");
  EXPECT_NE(ops::describe_recovery(status).find("last error: page 1: HTTP 503"), std::string::npos)
      << ops::describe_recovery(status);

  const auto ids = ops::requeue_failed(*conn, kJanuaryFirstWeek, {}, "retry-run");
  EXPECT_EQ(static_cast<std::int64_t>(ids.size()), status[1].failed + status[1].partial);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_events WHERE event = 'requeued'"),
            static_cast<std::int64_t>(ids.size()));
  auto retry = options("2024-01-01:2024-01-07", endpoints);
  retry.scope.task_ids = ids;
  retry.max_attempts = 4;  // --max-retries 3
  const auto second = extract::run_extract(*conn, c, retry);
  EXPECT_EQ(second.exit_code(), 0) << extract::describe_extract_result(second);
  EXPECT_EQ(second.total().tasks_done, static_cast<std::int64_t>(ids.size()));
  EXPECT_EQ(stored_counts(false), truth(c, endpoints, "20240101", "20240107"));
  for (const auto& e : ops::recovery_status(*conn, kJanuaryFirstWeek, "2024-01")) {
    EXPECT_EQ(e.next_step, "complete") << e.endpoint;
    EXPECT_EQ(e.unresolved_failures, 0);
  }
  EXPECT_EQ(duplicate_pages(), 0);
}

TEST_F(Extraction, RecoveryStatusNamesPermanentFailuresAndPendingWork) {
  start_sim();
  const auto c = config(R"(
endpoints:
  - name: contratacoes_publicacao
    fan_out: {param: codigoModalidadeContratacao, values: [6, 99]}
)");
  extract(c, "2024-01-02:2024-01-02", {"contratacoes_publicacao"});
  plan(c, "2024-01-03:2024-01-03", {"contratos"});
  const auto status =
      ops::recovery_status(*conn, plan::parse_range("2024-01-02:2024-01-03"), "2024-01");
  ASSERT_EQ(status.size(), 2u);
  EXPECT_EQ(status[0].endpoint, "contratacoes_publicacao");
  EXPECT_EQ(status[0].permanent_failures, 1);
  EXPECT_NE(status[0].next_step.find("rejected by the API"), std::string::npos);
  EXPECT_EQ(status[1].endpoint, "contratos");
  EXPECT_EQ(status[1].tasks_not_started, 1);
  EXPECT_EQ(status[1].next_step, "baliza extract --mes 2024-01 --endpoint contratos");
}

TEST_F(Extraction, VerifyFindsUpstreamChanges) {
  start_sim();
  const auto c = config();
  ASSERT_EQ(extract(c, "2024-01-01:2024-01-03", {"contratos", "atas_atualizacao"}).exit_code(), 0);
  const std::int64_t pages = count(
      "SELECT count(*) FROM runtime.task_results r JOIN "
      "raw.api_requests a USING (request_id) WHERE "
      "a.payload_sha256 IS NOT NULL");
  ops::VerifyOptions v;
  v.range = plan::parse_range("2024-01-01:2024-01-03");
  v.base_url = sim->base_url();
  auto same = ops::verify_pages(*conn, c, v);
  EXPECT_EQ(same.checked, pages);
  EXPECT_EQ(same.same, pages);
  EXPECT_EQ(same.exit_code(), 0);

  // The API's data moves: another seed serves other bytes for the same pages.
  auto other = small_sim();
  other.seed = 4242;
  start_sim(other);
  v.base_url = sim->base_url();
  v.endpoints = {"contratos"};
  auto changed = ops::verify_pages(*conn, c, v);
  EXPECT_EQ(changed.exit_code(), 1);
  EXPECT_GT(changed.changed + changed.gone, 0);
  EXPECT_EQ(changed.same, 0);
  EXPECT_EQ(count("SELECT count(*) FROM meta.verifications WHERE run_id = " +
                  quote_literal(changed.run_id) +
                  " AND outcome = 'changed' AND "
                  "fetched_request_id IS NOT NULL"),
            changed.changed);
  // The current results are untouched; the new bodies are in the raw store.
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_results WHERE superseded_at IS NULL"),
            count("SELECT count(*) FROM planning.task_plan"));
  EXPECT_NE(ops::describe_verify(changed).find("changed upstream"), std::string::npos);

  // A sample checks a subset, deterministically.
  ops::VerifyOptions s;
  s.sample = 0.5;
  s.base_url = sim->base_url();
  const auto a = ops::verify_pages(*conn, c, s);
  const auto b = ops::verify_pages(*conn, c, s);
  EXPECT_EQ(a.checked, b.checked);
  EXPECT_LE(a.checked, pages);
}

}  // namespace
}  // namespace baliza::extract_test
