// The extractor against the simulator's live-API behaviour that decides the pace: a per-client
// throttle without Retry-After (429, or an HTML page with status 200), and a few pages that
// always fail. Assertions are on counts and order, never on wall-clock time:
//   - pacing starts above the throttle, is cut, and settles below it: the second half of the
//     run meets far fewer throttles than the first, and nothing is lost;
//   - HTML throttle pages are retried, never stored as data, never a failed task;
//   - a few permanently failing days fail on their own (their attempts all made) while every
//     other day is extracted, and the endpoint's circuit never opens;
//   - an API that goes away mid-run (the network drops) is waited for: the circuit opens with
//     the cause, probes until it is back, and no page is lost to the outage.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "extract_test_support.h"

namespace baliza::extract_test {
namespace {

using namespace std::chrono_literals;

constexpr double kThrottle = 50;  // the simulator's sustained requests per second per client

// Pacing from well above the throttle, adaptive within [floor, ceiling].
std::string pacing_config(double start) {
  return "defaults:\n  concurrency: 4\n  rate_limit: {requests_per_second: " +
         std::to_string(start) + ", burst: 1, floor: 2, ceiling: " + std::to_string(start * 2) +
         "}\n  retry: {max_attempts: 5, base_backoff_ms: 5, max_backoff_ms: 100}\n";
}

// Throttled answers (429s) among the requests in [from, to) of the simulator's log.
std::int64_t throttles_in(const pncp_sim::Stats& stats, size_t from, size_t to) {
  return std::count_if(stats.requests.begin() + static_cast<long>(from),
                       stats.requests.begin() + static_cast<long>(to),
                       [](const pncp_sim::RequestLog& r) { return r.status == 429; });
}

TEST_F(Extraction, PacingConvergesBelowTheClientThrottle) {
  auto o = small_sim();
  o.faults.push_back(
      pncp_sim::parse_fault("client_throttle:rps=" + std::to_string(kThrottle) + ",burst=4"));
  start_sim(o);
  const auto c = config(pacing_config(kThrottle * 3));
  const std::vector<std::string> endpoints{"contratacoes_publicacao"};
  const auto result = extract(c, "2024-01-01:2024-01-20", endpoints);
  EXPECT_EQ(result.exit_code(), 0);
  EXPECT_EQ(stored_counts(false), truth(c, endpoints, "20240101", "20240120"));
  EXPECT_EQ(duplicate_pages(), 0);

  const pncp_sim::Stats stats = sim->stats();
  const size_t n = stats.requests.size();
  ASSERT_GT(n, 250u);
  const std::int64_t first = throttles_in(stats, 0, n / 2);
  const std::int64_t second = throttles_in(stats, n / 2, n);
  EXPECT_GT(first, 0) << "started above the throttle, so it must have been met";
  // After convergence the throttle is rare: a probe above the cap now and then, no more.
  EXPECT_LE(second, 5) << "first half " << first << ", second half " << second << " of " << n;

  ASSERT_EQ(result.pacing.size(), 1u);
  const extract::HostPacing& pace = result.pacing.front();
  EXPECT_EQ(pace.throttled, static_cast<std::uint64_t>(first + second));
  EXPECT_GE(pace.cuts, 1u);
  EXPECT_LT(pace.rate, kThrottle * 1.25) << "settled above the throttle";
  EXPECT_GT(pace.cap, 0);
  EXPECT_EQ(result.fetch.throttled, pace.throttled);
  // Throttles do not use up a page's attempts and are not failures.
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests"), 0);
  // The run keeps the pace it reached.
  EXPECT_EQ(count("SELECT count(*) FROM meta.pipeline_metrics WHERE metric = "
                  "'extract.throttled' AND value = " +
                  std::to_string(pace.throttled)),
            1);
}

TEST_F(Extraction, HtmlThrottlePagesAreRetriedNeverStored) {
  auto o = small_sim();
  o.faults.push_back(pncp_sim::parse_fault("client_throttle:rps=" + std::to_string(kThrottle) +
                                           ",burst=2,mode=html"));
  start_sim(o);
  const auto c = config(pacing_config(kThrottle * 3));
  const std::vector<std::string> endpoints{"contratos", "contratacoes_publicacao"};
  const auto result = extract(c, "2024-01-01:2024-01-06", endpoints);
  EXPECT_EQ(result.exit_code(), 0);
  EXPECT_EQ(stored_counts(false), truth(c, endpoints, "20240101", "20240106"));
  EXPECT_EQ(stored_counts(true), truth(c, endpoints, "20240101", "20240106"));
  ASSERT_EQ(result.pacing.size(), 1u);
  EXPECT_GT(result.pacing.front().throttle_pages, 0u) << "the fault never fired";
  EXPECT_EQ(result.pacing.front().throttle_pages, result.pacing.front().throttled);
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status <> 'done'"), 0);
}

TEST_F(Extraction, AFewFailingDaysDoNotStallTheOthers) {
  auto o = small_sim();
  // Two days whose every request fails with a 500, on both endpoints.
  o.faults.push_back(
      pncp_sim::parse_fault("5xx:status=500,match=dataInicial=20240103|dataInicial=20240106"));
  start_sim(o);
  // A breaker that would open after 3 failures in a row and then stay open for a minute: if
  // failing pages counted, the good days would wait behind it.
  const auto c = config(R"(
defaults:
  retry: {max_attempts: 3, base_backoff_ms: 5, max_backoff_ms: 20}
  circuit_breaker: {failure_threshold: 3, open_seconds: 60, half_open_probes: 1}
)");
  const std::vector<std::string> endpoints{"contratos", "contratacoes_publicacao"};
  const auto result = extract(c, "2024-01-01:2024-01-08", endpoints);
  EXPECT_EQ(result.exit_code(), 1);  // the failing days' tasks failed
  EXPECT_TRUE(result.open_circuits.empty());
  EXPECT_EQ(count("SELECT count(*) FROM meta.circuit_events"), 0);

  // The failing days failed on their own, with every attempt made...
  const std::int64_t bad_tasks = 2 * (1 + 14);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'failed'"), bad_tasks);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'failed' AND "
                  "data_date NOT IN ('2024-01-03', '2024-01-06')"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests"), bad_tasks);
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests WHERE attempts <> 3"), 0);
  // ... and every other day was extracted completely.
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status = 'done'"), 6 * (1 + 14));
  std::map<std::string, std::int64_t> good;
  for (const char* day : {"20240101", "20240102", "20240104", "20240105", "20240107", "20240108"}) {
    for (const auto& [name, n] : truth(c, endpoints, day, day)) good[name] += n;
  }
  EXPECT_EQ(stored_counts(false), good);

  // Order: the good days' requests went on while the bad days were failing and retrying; the
  // last request of the run is not the only thing that happened after the first failure.
  const pncp_sim::Stats stats = sim->stats();
  size_t first_failure = stats.requests.size(), good_after = 0;
  for (size_t i = 0; i < stats.requests.size(); ++i) {
    const auto& r = stats.requests[i];
    if (r.status == 500 && first_failure == stats.requests.size()) first_failure = i;
    if (i > first_failure && r.status != 500) ++good_after;
  }
  EXPECT_GT(good_after, 10u) << "nothing else ran once a day started failing";
  EXPECT_EQ(stats.responses_per_status.at(500), static_cast<std::uint64_t>(bad_tasks * 3));
}

// A loopback port nothing listens on (bound once to learn a free number, then closed).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(Extraction, AnOutageMidRunIsWaitedForAndLosesNothing) {
  auto o = small_sim();
  o.port = free_port();
  auto first = std::make_unique<pncp_sim::Simulator>(o);
  first->start();
  // The same API, started again after the outage (and the ground truth meanwhile).
  sim = std::make_unique<pncp_sim::Simulator>(o);
  const auto c = config(R"(
defaults:
  rate_limit: {requests_per_second: 60, burst: 1}
  retry: {max_attempts: 3, base_backoff_ms: 5, max_backoff_ms: 20}
  circuit_breaker: {failure_threshold: 3, open_seconds: 1, half_open_probes: 1}
)");
  const std::vector<std::string> endpoints{"contratacoes_publicacao"};
  auto opts = options("2024-01-01:2024-01-10", endpoints);
  opts.base_url = first->base_url();
  plan(c, "2024-01-01:2024-01-10", endpoints);
  std::atomic<bool> reopened{false};
  std::thread outage([&] {
    // The API goes away after 30 answers, and comes back once the extraction has failed
    // enough to open the circuit and probe (it cannot finish meanwhile).
    while (first->stats().total_requests < 30) std::this_thread::sleep_for(5ms);
    first->stop();
    std::this_thread::sleep_for(2500ms);
    sim->start();
    reopened = true;
  });
  const auto result = extract::run_extract(*conn, c, opts);
  outage.join();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(result.exit_code(), 0) << extract::describe_extract_result(result);
  EXPECT_EQ(stored_counts(false), truth(c, endpoints, "20240101", "20240110"));
  EXPECT_EQ(count("SELECT count(*) FROM meta.failed_requests"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status <> 'done'"), 0);
  EXPECT_GE(count("SELECT count(*) FROM meta.circuit_events WHERE to_state = 'open'"), 1);
  EXPECT_GE(count("SELECT count(*) FROM meta.circuit_events WHERE to_state = 'closed'"), 1);
  EXPECT_TRUE(result.open_circuits.empty()) << "the circuit closed again once the API was back";
}

}  // namespace
}  // namespace baliza::extract_test
