// Pacing benchmark (issue 9): how long the adaptive pacer takes to settle on the rate a
// throttling API sustains, and how many throttles that costs. Plain main; prints Markdown that
// bench/results/pacing.md records.
//
// The simulator throttles per client like the live PNCP (a token bucket, 429 without
// Retry-After). Time is scaled: with `scale` k the throttle is k x 1 request/s and every pacing
// setting is k times the endpoints.yaml one, so the run is k times faster than live and every
// figure below is converted back to live time (seconds x k, rates / k). The pacer only reacts
// to answers, so its behaviour is the same at any scale as long as answers stay fast compared
// with the interval between requests.
//
//   build/bench/bench_pacing_convergence [scale=20] [days=40]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_clock.h"
#include "core/log.h"
#include "db/database.h"
#include "db/migrations.h"
#include "extract/extractor.h"
#include "plan/plan_store.h"
#include "pncp_sim/simulator.h"

namespace {

namespace fs = std::filesystem;
using namespace baliza;

struct Scenario {
  const char* name;
  double throttle;  // live requests per second the API sustains per client
  double start, floor, ceiling;
};

struct Outcome {
  std::size_t requests = 0, throttled = 0, throttled_second_half = 0;
  double seconds = 0;         // live seconds, first request to last
  double reach_80 = -1;       // live seconds until 20 consecutive requests ran at >= 80%
  double last_throttle = -1;  // live seconds
  double second_half_rate = 0;
  double final_rate = 0, cap = 0;
  bool complete = false;
};

Outcome run(const Scenario& s, double k, int days) {
  pncp_sim::Options o;
  o.today = "20240630";
  o.volume.contratacoes_per_day = 12;
  o.faults.push_back(
      pncp_sim::parse_fault("client_throttle:rps=" + std::to_string(s.throttle * k) + ",burst=2"));
  pncp_sim::Simulator sim(o);
  sim.start();

  const std::string db_path = (fs::temp_directory_path() / "bench_pacing.duckdb").string();
  fs::remove(db_path);
  fs::remove(db_path + ".wal");
  auto db = Database::open(db_path);
  Connection conn(db);
  apply_migrations(conn);
  const std::string yaml =
      "defaults:\n  concurrency: 4\n  rate_limit: {requests_per_second: " +
      std::to_string(s.start * k) + ", burst: 1, floor: " + std::to_string(s.floor * k) +
      ", ceiling: " + std::to_string(s.ceiling * k) +
      "}\n  retry: {max_attempts: 5, base_backoff_ms: " +
      std::to_string(static_cast<int>(500 / k) + 1) +
      ", max_backoff_ms: " + std::to_string(static_cast<int>(30000 / k)) + "}\n";
  const auto config = plan::parse_endpoints({plan::builtin_pncp_endpoints(), {"bench.yaml", yaml}});
  const std::string range =
      "2024-01-01:" +
      plan::iso_date(plan::Date{std::chrono::sys_days{std::chrono::year(2024) / 1 / 1} +
                                std::chrono::days{days - 1}});
  const auto r = plan::parse_range(range);
  const std::vector<std::string> endpoints{"contratacoes_publicacao"};
  const auto p =
      plan::plan_tasks(config, {r, endpoints, plan::Date{std::chrono::year(2024) / 6 / 30}});
  plan::apply_plan(conn, config, p, {r, endpoints}, false, "bench");
  extract::ExtractOptions x;
  x.scope.first_date = plan::iso_date(r.first);
  x.scope.last_date = plan::iso_date(r.last);
  x.scope.endpoints = endpoints;
  x.base_url = sim.base_url();
  const auto result = extract::run_extract(conn, config, x);

  Outcome out;
  out.complete = result.exit_code() == 0;
  if (!result.pacing.empty()) {
    out.final_rate = result.pacing.front().rate / k;
    out.cap = result.pacing.front().cap / k;
  }
  const pncp_sim::Stats stats = sim.stats();
  const auto& log = stats.requests;
  out.requests = log.size();
  if (log.empty()) return out;
  const auto t0 = log.front().started;
  auto live = [&](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(t - t0).count() * k;
  };
  out.seconds = live(log.back().started);
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].status != 429) continue;
    ++out.throttled;
    if (i >= log.size() / 2) ++out.throttled_second_half;
    out.last_throttle = live(log[i].started);
  }
  constexpr std::size_t kWindow = 20;
  for (std::size_t i = 0; i + kWindow < log.size(); ++i) {
    const double span = live(log[i + kWindow].started) - live(log[i].started);
    if (span > 0 && kWindow / span >= 0.8 * s.throttle) {
      out.reach_80 = live(log[i].started);
      break;
    }
  }
  const std::size_t half = log.size() / 2;
  const double span = live(log.back().started) - live(log[half].started);
  if (span > 0) out.second_half_rate = (log.size() - half) / span;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const double k = argc > 1 ? std::stod(argv[1]) : 20;
  const int days = argc > 2 ? std::stoi(argv[2]) : 40;
  log_configure(LogFormat::kText, LogLevel::kError);
  const std::vector<Scenario> scenarios = {
      {"built-in pacing (start 0.5, floor 0.1, ceiling 2); API sustains 1/s", 1, 0.5, 0.1, 2},
      {"built-in pacing; API sustains 0.5/s (busier day)", 0.5, 0.5, 0.1, 2},
      {"start above the throttle (start 3, ceiling 6); API sustains 1/s", 1, 3, 0.1, 6},
  };
  std::printf("time scale %.0fx, contratacoes_publicacao over %d days; figures in live time\n\n", k,
              days);
  std::printf(
      "| scenario | requests | throttled (2nd half) | reached 80%% of the sustainable rate | "
      "last throttle | rate in the 2nd half | final pace (cap) | complete |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto& s : scenarios) {
    const Outcome o = run(s, k, days);
    std::printf(
        "| %s | %zu in %.0f s | %zu (%zu) | %s | %s | %.2f/s (%.0f%%) | %.2f/s (%.2f) | %s |\n",
        s.name, o.requests, o.seconds, o.throttled, o.throttled_second_half,
        o.reach_80 < 0 ? "never" : (std::to_string(static_cast<int>(o.reach_80)) + " s").c_str(),
        o.last_throttle < 0 ? "none"
                            : (std::to_string(static_cast<int>(o.last_throttle)) + " s").c_str(),
        o.second_half_rate, 100 * o.second_half_rate / s.throttle, o.final_rate, o.cap,
        o.complete ? "yes" : "NO");
    std::fflush(stdout);
  }
  return 0;
}
