// Requests for a realistic month (issue 10, "the fewest requests"): the daily plan against the
// plan windowed by volume, and a first month without history planned with the volume probe
// (ops/volume_probe.h), all against the minimum, and the hours each takes at the live pace.
// Plain main; prints the Markdown that bench/results/windows.md records.
//
//   build/bench/bench_windows_requests [scale=42] [month=2024-03] [pace=0.5]
//
// The PNCP simulator serves the simulator's realistic volumes (`baliza demo --scale 42`: about
// 100k contratos and 60k contratações published in the month) over loopback. Three extractions
// of every endpoint the built-in project plans by default:
//   before: the month alone in a fresh database, planned day by day (max_window: day);
//   after:  the previous month first (no history: the fallback plans it day by day), then the
//           month, planned by volume from what the previous month observed;
//   probe:  the month alone in a fresh database (no history), its windows without history
//           probed first (page 1 of each month's run: one request each, counted) and then
//           planned by volume from the totals the probes read.
// Requests = pages asked (raw.api_requests, every answer) + closing reads of page 1
// (meta.completeness_checks). Minimum = for each endpoint and modalidade, ceil(records of the
// month / the largest page size), at least 1: one window per month, no closing reads.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/log.h"
#include "db/database.h"
#include "db/migrations.h"
#include "db/payload_functions.h"
#include "extract/extractor.h"
#include "ops/volume_probe.h"
#include "plan/plan_store.h"
#include "plan/request_summary.h"
#include "plan/volume_windows.h"
#include "pncp_sim/simulator.h"

namespace {

namespace fs = std::filesystem;
using namespace baliza;

const char* const kFast = R"(
defaults:
  concurrency: 8
  rate_limit: {requests_per_second: 5000, burst: 100}
  retry: {max_attempts: 8, base_backoff_ms: 5, max_backoff_ms: 50}
  circuit_breaker: {failure_threshold: 50, open_seconds: 1, half_open_probes: 1}
)";

const char* const kDaily = R"(
endpoints:
  - {name: contratacoes_publicacao, max_window: day}
  - {name: contratacoes_atualizacao, max_window: day}
  - {name: contratos, max_window: day}
  - {name: contratos_atualizacao, max_window: day}
  - {name: atas_atualizacao, max_window: day}
)";

plan::EndpointsConfig config(bool daily) {
  std::vector<plan::ConfigSource> layers{plan::builtin_pncp_endpoints(), {"fast.yaml", kFast}};
  if (daily) layers.push_back({"daily.yaml", kDaily});
  return plan::parse_endpoints(layers);
}

struct Counts {
  std::int64_t tasks = 0, pages = 0, closing = 0, records = 0, minimum = 0;
  double announced = 0;
  std::int64_t requests() const { return pages + closing; }
};

class Db {
 public:
  explicit Db(const std::string& name) : path_((fs::temp_directory_path() / name).string()) {
    fs::remove(path_);
    fs::remove(path_ + ".wal");
    db_ = Database::open(path_);
    conn_ = std::make_unique<Connection>(db_);
    apply_migrations(*conn_);
    register_payload_functions(*conn_, std::size_t{1} << 30);
  }
  ~Db() {
    conn_.reset();
    db_.reset();
    fs::remove(path_);
    fs::remove(path_ + ".wal");
  }

  // Plans `month` from history (volume windows where the config has them) and extracts it.
  // Returns what the plan announced per endpoint.
  std::map<std::string, double> run(const plan::EndpointsConfig& c, const plan::DateRange& month,
                                    const plan::Date& today, const std::string& base_url) {
    const plan::VolumePlan p = plan::plan_from_history(*conn_, c, {month, {}, today});
    plan::apply_plan(*conn_, c, p.plan, {month, {}}, false, "bench");
    std::map<std::string, double> announced;
    for (const auto& e : plan::summarize_requests(c, p).endpoints)
      announced[e.endpoint] = e.requests();
    extract::ExtractOptions o;
    o.scope.first_date = plan::iso_date(month.first);
    o.scope.last_date = plan::iso_date(month.last);
    o.base_url = base_url;
    const extract::ExtractResult r = extract::run_extract(*conn_, c, o);
    if (r.exit_code() != 0) std::fprintf(stderr, "extraction exit code %d\n", r.exit_code());
    return announced;
  }

  // The month without history, probed first (ops/volume_probe.h). Returns the probes per
  // endpoint.
  std::map<std::string, int> run_probed(const plan::EndpointsConfig& c,
                                        const plan::DateRange& month, const plan::Date& today,
                                        const std::string& base_url) {
    const plan::PlanRequest request{month, {}, today};
    plan::VolumeHistory history = plan::read_volume_history(*conn_, c, month);
    std::map<std::string, int> probes;
    for (const plan::Task& t : plan::probe_tasks(c, request, history)) ++probes[t.endpoint_name];
    const ops::VolumeProbeResult r = ops::probe_volumes(c, request, history, base_url);
    if (r.failed > 0) std::fprintf(stderr, "%d probes failed\n", r.failed);
    const plan::VolumePlan p = plan::plan_by_volume(c, request, history);
    plan::apply_plan(*conn_, c, p.plan, {month, {}}, false, "bench");
    extract::ExtractOptions o;
    o.scope.first_date = plan::iso_date(month.first);
    o.scope.last_date = plan::iso_date(month.last);
    o.base_url = base_url;
    const extract::ExtractResult x = extract::run_extract(*conn_, c, o);
    if (x.exit_code() != 0) std::fprintf(stderr, "extraction exit code %d\n", x.exit_code());
    return probes;
  }

  // Per endpoint, over the tasks starting in `month`.
  std::map<std::string, Counts> counts(const plan::EndpointsConfig& c,
                                       const plan::DateRange& month) {
    const std::string in_month = "t.data_date BETWEEN '" + plan::iso_date(month.first) + "' AND '" +
                                 plan::iso_date(month.last) + "'";
    std::map<std::string, Counts> out;
    auto each = [&](const std::string& sql, auto&& set) {
      Result r = conn_->query(sql);
      for (std::size_t i = 0; i < r.row_count(); ++i) set(out[r.get_string(0, i)], r, i);
    };
    each("SELECT endpoint_name, count(*) FROM planning.task_plan t WHERE removed_at IS NULL AND " +
             in_month + " GROUP BY 1",
         [](Counts& k, Result& r, std::size_t i) { k.tasks = r.get_int64(1, i); });
    each(
        "SELECT t.endpoint_name, count(*) FROM raw.api_requests a JOIN planning.task_plan t "
        "USING (task_id) WHERE " +
            in_month + " GROUP BY 1",
        [](Counts& k, Result& r, std::size_t i) { k.pages = r.get_int64(1, i); });
    each(
        "SELECT t.endpoint_name, count(*) FROM meta.completeness_checks c JOIN "
        "planning.task_plan t USING (task_id) WHERE " +
            in_month + " GROUP BY 1",
        [](Counts& k, Result& r, std::size_t i) { k.closing = r.get_int64(1, i); });
    // Records per endpoint and modalidade: what the tasks' totals proved.
    Result parts = conn_->query(
        "SELECT t.endpoint_name, t.modalidade, sum(n) FROM (SELECT task_id, "
        "coalesce(max(total_records), sum(records_count)) AS n FROM runtime.task_results WHERE "
        "superseded_at IS NULL GROUP BY 1) r JOIN planning.task_plan t USING (task_id) WHERE " +
        in_month + " GROUP BY ALL");
    for (std::size_t i = 0; i < parts.row_count(); ++i) {
      Counts& k = out[parts.get_string(0, i)];
      const std::int64_t n = parts.get_int64(2, i);
      const int size = c.find(parts.get_string(0, i))->page_size;
      k.records += n;
      k.minimum += std::max<std::int64_t>(1, (n + size - 1) / size);
    }
    return out;
  }

 private:
  std::string path_;
  std::shared_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
};

std::string hours(double requests, double pace) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", requests / pace / 3600);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const double scale = argc > 1 ? std::stod(argv[1]) : 42;
  const std::string month_text = argc > 2 ? argv[2] : "2024-03";
  const double pace = argc > 3 ? std::stod(argv[3]) : 0.5;
  log_configure(LogFormat::kText, LogLevel::kError);
  const plan::DateRange month = plan::parse_month(month_text);
  const plan::Date previous_day{std::chrono::sys_days{month.first} - std::chrono::days{1}};
  const plan::DateRange previous = plan::parse_month(plan::iso_date(previous_day).substr(0, 7));
  const plan::Date today{std::chrono::sys_days{month.last} + std::chrono::days{1}};

  pncp_sim::Options o;
  o.seed = 42;
  o.volume.scale = scale;
  o.today = plan::format_date(today, plan::DateFormat::kCompact);
  pncp_sim::Simulator sim(o);
  sim.start();

  const plan::EndpointsConfig daily = config(true);
  const plan::EndpointsConfig windowed = config(false);
  std::map<std::string, Counts> before, after, probed;
  std::map<std::string, int> probes;
  {
    Db db("bench_windows_daily.duckdb");
    db.run(daily, month, today, sim.base_url());
    before = db.counts(daily, month);
  }
  {
    Db db("bench_windows_volume.duckdb");
    db.run(windowed, previous, today, sim.base_url());
    const auto announced = db.run(windowed, month, today, sim.base_url());
    after = db.counts(windowed, month);
    for (auto& [name, k] : after) k.announced = announced.count(name) ? announced.at(name) : 0;
  }
  {
    Db db("bench_windows_probe.duckdb");
    probes = db.run_probed(windowed, month, today, sim.base_url());
    probed = db.counts(windowed, month);
  }
  sim.stop();

  std::printf("## %s at scale %g (history: %s)\n\n", month_text.c_str(), scale,
              plan::iso_date(previous.first).substr(0, 7).c_str());
  std::printf(
      "| endpoint | records | minimum | daily: tasks | daily: requests | x min | windowed: "
      "tasks | windowed: requests (announced) | x min |\n|---|---|---|---|---|---|---|---|---|\n");
  Counts total_before, total_after;
  for (const auto& [name, a] : after) {
    const Counts& b = before[name];
    std::printf("| %s | %lld | %lld | %lld | %lld | %.2f | %lld | %lld (%.0f) | %.2f |\n",
                name.c_str(), static_cast<long long>(a.records), static_cast<long long>(a.minimum),
                static_cast<long long>(b.tasks), static_cast<long long>(b.requests()),
                static_cast<double>(b.requests()) / std::max<std::int64_t>(1, a.minimum),
                static_cast<long long>(a.tasks), static_cast<long long>(a.requests()), a.announced,
                static_cast<double>(a.requests()) / std::max<std::int64_t>(1, a.minimum));
    total_before.tasks += b.tasks, total_before.pages += b.pages, total_before.closing += b.closing;
    total_after.tasks += a.tasks, total_after.pages += a.pages, total_after.closing += a.closing;
    total_after.records += a.records, total_after.minimum += a.minimum;
    total_after.announced += a.announced;
    if (b.records != a.records)
      std::printf("<!-- %s: records differ, daily %lld -->\n", name.c_str(),
                  static_cast<long long>(b.records));
  }
  std::printf(
      "| **total** | %lld | %lld | %lld | %lld | %.2f | %lld | %lld (%.0f) | %.2f |\n\n",
      static_cast<long long>(total_after.records), static_cast<long long>(total_after.minimum),
      static_cast<long long>(total_before.tasks), static_cast<long long>(total_before.requests()),
      static_cast<double>(total_before.requests()) / total_after.minimum,
      static_cast<long long>(total_after.tasks), static_cast<long long>(total_after.requests()),
      total_after.announced, static_cast<double>(total_after.requests()) / total_after.minimum);
  std::printf(
      "Pages only (without the closing reads): daily %lld, windowed %lld (x%.2f of the "
      "minimum).\n\n",
      static_cast<long long>(total_before.pages), static_cast<long long>(total_after.pages),
      static_cast<double>(total_after.pages) / total_after.minimum);
  std::printf(
      "At the live pace of %.2f requests/s: minimum %s h, daily %s h, windowed %s h (one "
      "client; endpoints share the host's pace).\n",
      pace, hours(static_cast<double>(total_after.minimum), pace).c_str(),
      hours(static_cast<double>(total_before.requests()), pace).c_str(),
      hours(static_cast<double>(total_after.requests()), pace).c_str());

  std::printf(
      "\n### The first month (no history): day by day, or probed first\n\n| endpoint | minimum | "
      "daily: requests | x min | probes | probed: tasks | probed: requests (probes included) | "
      "x min |\n|---|---|---|---|---|---|---|---|\n");
  Counts total_probed;
  int total_probes = 0;
  for (const auto& [name, k] : probed) {
    const Counts& b = before[name];
    const int n = probes.count(name) ? probes.at(name) : 0;
    const std::int64_t made = k.requests() + n;
    std::printf("| %s | %lld | %lld | %.2f | %d | %lld | %lld | %.2f |\n", name.c_str(),
                static_cast<long long>(k.minimum), static_cast<long long>(b.requests()),
                static_cast<double>(b.requests()) / std::max<std::int64_t>(1, k.minimum), n,
                static_cast<long long>(k.tasks), static_cast<long long>(made),
                static_cast<double>(made) / std::max<std::int64_t>(1, k.minimum));
    total_probed.tasks += k.tasks, total_probed.pages += k.pages, total_probed.closing += k.closing;
    total_probed.minimum += k.minimum;
    total_probes += n;
    if (k.records != b.records)
      std::printf("<!-- %s: records differ, daily %lld, probed %lld -->\n", name.c_str(),
                  static_cast<long long>(b.records), static_cast<long long>(k.records));
  }
  const std::int64_t probed_made = total_probed.requests() + total_probes;
  std::printf(
      "| **total** | %lld | %lld | %.2f | %d | %lld | %lld | %.2f |\n\n",
      static_cast<long long>(total_probed.minimum), static_cast<long long>(total_before.requests()),
      static_cast<double>(total_before.requests()) /
          std::max<std::int64_t>(1, total_probed.minimum),
      total_probes, static_cast<long long>(total_probed.tasks), static_cast<long long>(probed_made),
      static_cast<double>(probed_made) / std::max<std::int64_t>(1, total_probed.minimum));
  std::printf(
      "At %.2f requests/s the first month takes %s h day by day, %s h probed first (%d probe "
      "requests, %s h of them).\n",
      pace, hours(static_cast<double>(total_before.requests()), pace).c_str(),
      hours(static_cast<double>(probed_made), pace).c_str(), total_probes,
      hours(static_cast<double>(total_probes), pace).c_str());
  return 0;
}
