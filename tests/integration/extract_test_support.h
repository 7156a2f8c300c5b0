// Helpers of the extraction integration tests: a simulator on an ephemeral loopback port, a
// fresh DuckDB file, an endpoints config tuned for fast tests, plan + extract in one call, and
// the simulator's ground truth per endpoint.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "db/database.h"
#include "db/migrations.h"
#include "db/payload_functions.h"
#include "extract/extractor.h"
#include "plan/plan_store.h"
#include "pncp_sim/data.h"
#include "pncp_sim/simulator.h"
#include "support/temp_dir.h"

namespace baliza::extract_test {

// Small, fast defaults: no rate limit to speak of, short backoffs, a breaker that tolerates
// the injected fault rates.
inline const char* const kFastDefaults = R"(
defaults:
  concurrency: 4
  rate_limit: {requests_per_second: 2000, burst: 50}
  retry: {max_attempts: 8, base_backoff_ms: 5, max_backoff_ms: 50}
  circuit_breaker: {failure_threshold: 50, open_seconds: 1, half_open_probes: 1}
  timeouts: {connect_seconds: 5, request_seconds: 10}
  claim_ttl_seconds: 120
)";

inline pncp_sim::Options small_sim() {
  pncp_sim::Options o;
  o.today = "20240630";
  o.threads = 8;
  o.keep_alive_timeout_s = 2;
  o.volume.contratacoes_per_day = 12;
  o.volume.contratos_per_day = 25;
  o.volume.atas_per_day = 6;
  o.volume.pca_per_day = 4;
  o.volume.instrumentos_per_day = 3;
  return o;
}

// The endpoints that have a per-day ground truth and are planned by default.
inline std::vector<std::string> month_endpoints() {
  return {"contratos", "contratacoes_publicacao", "atas_atualizacao",
          "instrumentoscobranca_inclusao", "pca_atualizacao"};
}

class Extraction : public ::testing::Test {
 protected:
  void start_sim(pncp_sim::Options options = small_sim()) {
    sim = std::make_unique<pncp_sim::Simulator>(std::move(options));
    sim->start();
  }
  void SetUp() override { open_db(); }

  void open_db() {
    conn.reset();
    db = Database::open((dir / "baliza.duckdb").string());
    conn = std::make_unique<Connection>(db);
    apply_migrations(*conn);
    register_payload_functions(*conn, size_t{256} << 20);
  }
  void close_db() {
    conn.reset();
    db.reset();
  }

  // The built-in endpoints.yaml under kFastDefaults and `extra` (YAML merged last).
  plan::EndpointsConfig config(const std::string& extra = "") const {
    std::vector<plan::ConfigSource> layers{plan::builtin_pncp_endpoints(),
                                           {"fast-defaults.yaml", kFastDefaults}};
    if (!extra.empty()) layers.push_back({"test-endpoints.yaml", extra});
    return plan::parse_endpoints(layers);
  }

  plan::PlanApplyResult plan(const plan::EndpointsConfig& c, const std::string& range,
                             const std::vector<std::string>& endpoints) {
    const plan::DateRange r = plan::parse_range(range);
    const plan::Plan p =
        plan::plan_tasks(c, {r, endpoints, plan::Date{std::chrono::year(2024) / 6 / 30}});
    return plan::apply_plan(*conn, c, p, {r, endpoints}, false, "test-plan");
  }

  extract::ExtractOptions options(const std::string& range,
                                  const std::vector<std::string>& endpoints) const {
    extract::ExtractOptions o;
    const plan::DateRange r = plan::parse_range(range);
    o.scope.first_date = plan::iso_date(r.first);
    o.scope.last_date = plan::iso_date(r.last);
    o.scope.endpoints = endpoints;
    o.base_url = sim->base_url();
    o.retry_seed = 7;
    return o;
  }

  // Plans and extracts `range` (A:B) of `endpoints`.
  extract::ExtractResult extract(const plan::EndpointsConfig& c, const std::string& range,
                                 const std::vector<std::string>& endpoints,
                                 extract::ExtractOptions* custom = nullptr) {
    plan(c, range, endpoints);
    extract::ExtractOptions o = custom ? *custom : options(range, endpoints);
    return extract::run_extract(*conn, c, o);
  }

  std::int64_t count(const std::string& sql) {
    auto v = conn->scalar(sql);
    return v ? std::stoll(*v) : -1;
  }

  // Records per endpoint name: current results (records_count), and records counted in the
  // stored payloads themselves.
  std::map<std::string, std::int64_t> stored_counts(bool from_payloads) {
    const std::string sql =
        from_payloads
            ? "SELECT t.endpoint_name, sum(json_array_length(baliza_payload(p.compressed)::JSON "
              "-> 'data')) FROM runtime.task_results r JOIN planning.task_plan t USING (task_id) "
              "JOIN raw.api_requests a USING (request_id) JOIN raw.payloads p USING "
              "(payload_sha256) WHERE r.superseded_at IS NULL GROUP BY ALL"
            : "SELECT t.endpoint_name, sum(r.records_count) FROM runtime.task_results r JOIN "
              "planning.task_plan t USING (task_id) WHERE r.superseded_at IS NULL GROUP BY ALL";
    std::map<std::string, std::int64_t> out;
    Result r = conn->query(sql);
    for (size_t i = 0; i < r.row_count(); ++i) out[r.get_string(0, i)] = r.get_int64(1, i);
    return out;
  }

  // The simulator's records per endpoint name over [from, to] (yyyyMMdd).
  std::map<std::string, std::int64_t> truth(const plan::EndpointsConfig& c,
                                            const std::vector<std::string>& endpoints,
                                            const std::string& from, const std::string& to) {
    const nlohmann::json t = pncp_sim::ground_truth(sim->options(), from, to);
    std::map<std::string, std::int64_t> out;
    for (const auto& name : endpoints) {
      const std::string path = c.find(name)->path;
      out[name] = t["totals"].contains(path) ? t["totals"][path].get<std::int64_t>() : 0;
    }
    return out;
  }

  // Current pages stored more than once, and 200 answers stored more than once per page.
  std::int64_t duplicate_pages() {
    return count(
        "SELECT count(*) FROM (SELECT task_id, page_number FROM runtime.task_results WHERE "
        "superseded_at IS NULL GROUP BY ALL HAVING count(*) > 1)");
  }

  testing::TempDir dir;
  std::shared_ptr<Database> db;
  std::unique_ptr<Connection> conn;
  std::unique_ptr<pncp_sim::Simulator> sim;
};

}  // namespace baliza::extract_test
