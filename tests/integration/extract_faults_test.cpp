// The same extraction under each injected fault: the stored records still equal the ground
// truth (retries absorb the faults); exhausted retries land in meta.failed_requests.
#include <thread>

#include "integration/extract_test_support.h"

namespace baliza::extract_test {
namespace {

struct FaultCase {
  const char* name;
  const char* spec;  // as `pncp-sim --fault`
};

class FaultExtraction : public Extraction, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(FaultExtraction, RecordsEqualGroundTruth) {
  auto o = small_sim();
  o.faults.push_back(pncp_sim::parse_fault(GetParam().spec));
  start_sim(o);
  const auto c = config(R"(
endpoints:
  - name: contratos
    page_size: 10
)");
  const std::vector<std::string> endpoints{"contratos", "contratacoes_publicacao",
                                           "atas_atualizacao"};
  const auto result = extract(c, "2024-01-01:2024-01-07", endpoints);
  EXPECT_EQ(result.exit_code(), 0) << extract::describe_extract_result(result);
  EXPECT_EQ(stored_counts(false), truth(c, endpoints, "20240101", "20240107"));
  EXPECT_EQ(stored_counts(true), truth(c, endpoints, "20240101", "20240107"));
  EXPECT_GT(result.fetch.retries, 0u) << "the fault never fired";
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests"), 0);
  EXPECT_EQ(duplicate_pages(), 0);
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultExtraction,
                         ::testing::Values(FaultCase{"RateLimitWithRetryAfter",
                                                     "429:rate=0.2,retry_after=0"},
                                           FaultCase{"RateLimitWithoutRetryAfter", "429:rate=0.2"},
                                           FaultCase{"ServerErrors", "5xx:rate=0.25"},
                                           FaultCase{"Resets", "reset:rate=0.15"},
                                           FaultCase{"ShortBodies", "truncate:rate=0.15"},
                                           FaultCase{"CutJson", "truncate:rate=0.15,mode=cut_json"},
                                           FaultCase{"FailFirst", "fail_first:count=2,status=502"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(Extraction, SlowAnswersAreWaitedFor) {
  auto o = small_sim();
  o.faults.push_back(pncp_sim::parse_fault("slow:rate=0.3,delay_ms=150"));
  start_sim(o);
  const auto c = config();
  const auto result = extract(c, "2024-01-01:2024-01-03", {"contratos"});
  EXPECT_EQ(result.exit_code(), 0);
  EXPECT_EQ(stored_counts(false), truth(c, {"contratos"}, "20240101", "20240103"));
}

TEST_F(Extraction, ExhaustedRetriesAreRecordedWithAttempts) {
  auto o = small_sim();
  o.faults.push_back(
      pncp_sim::parse_fault("fail_first:endpoint=/v1/contratos,count=10,status=503"));
  start_sim(o);
  const auto c = config(R"(
defaults:
  retry: {max_attempts: 3, base_backoff_ms: 1, max_backoff_ms: 5}
)");
  const std::vector<std::string> endpoints{"contratos", "contratacoes_publicacao"};
  const auto result = extract(c, "2024-01-02:2024-01-03", endpoints);
  EXPECT_EQ(result.exit_code(), 1);
  EXPECT_EQ(result.endpoints.at("contratos").tasks_failed, 2);
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests WHERE endpoint = 'contratos' AND "
                  "attempts = 3 AND error_class = 'exhausted' AND http_status = 503 AND "
                  "resolved_at IS NULL"),
            2);
  // The other endpoint went on.
  EXPECT_EQ(
      stored_counts(false).at("contratacoes_publicacao"),
      truth(c, {"contratacoes_publicacao"}, "20240102", "20240103").at("contratacoes_publicacao"));
  // Once the API recovers, a rerun of the failed tasks resolves the failures.
  conn->execute("UPDATE planning.task_plan SET status = 'pending' WHERE status = 'failed'");
  auto retry = options("2024-01-02:2024-01-03", endpoints);
  retry.max_attempts = 10;
  const auto second = extract::run_extract(*conn, c, retry);
  EXPECT_EQ(second.exit_code(), 0);
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests WHERE resolved_at IS NULL"), 0);
  EXPECT_EQ(stored_counts(false), truth(c, endpoints, "20240102", "20240103"));
}

TEST_F(Extraction, OpenCircuitPausesOnlyItsEndpoint) {
  auto o = small_sim();
  o.faults.push_back(pncp_sim::parse_fault("5xx:endpoint=/v1/contratos,rate=1,status=503"));
  start_sim(o);
  const auto c = config(R"(
defaults:
  retry: {max_attempts: 2, base_backoff_ms: 1, max_backoff_ms: 5}
  circuit_breaker: {failure_threshold: 3, open_seconds: 30, half_open_probes: 1}
)");
  auto opts = options("2024-01-01:2024-01-10", {"contratos", "contratacoes_publicacao"});
  opts.grace = std::chrono::milliseconds(200);
  std::atomic<int> interrupts{0};
  opts.interrupts = &interrupts;
  plan(c, "2024-01-01:2024-01-10", {"contratos", "contratacoes_publicacao"});
  std::thread stopper([&] {
    // Everything but the paused endpoint finishes; then stop waiting for the circuit. A second
    // connection watches the committed task states.
    Connection watcher(db);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto done = watcher.scalar(
          "SELECT count(*) FROM planning.task_plan WHERE endpoint_name = "
          "'contratacoes_publicacao' AND status = 'done'");
      if (done == std::to_string(10 * 14)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    interrupts = 1;
  });
  const auto result = extract::run_extract(*conn, c, opts);
  stopper.join();
  EXPECT_TRUE(result.interrupted);
  EXPECT_EQ(result.exit_code(), 130);
  EXPECT_EQ(result.open_circuits, std::vector<std::string>{"contratos"});
  EXPECT_EQ(result.endpoints.at("contratacoes_publicacao").tasks_done, 10 * 14);
  EXPECT_GE(count("SELECT count(*) FROM meta.circuit_events WHERE endpoint = 'contratos' AND "
                  "to_state = 'open'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_claims WHERE status = 'active'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'claimed'"), 0);
}

}  // namespace
}  // namespace baliza::extract_test
