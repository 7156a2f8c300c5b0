// Extraction benchmark (issue 3). Plain main; prints Markdown that bench/results/extract.md
// records.
//
//   1. Planning: plan_tasks for ~100k tasks (the built-in endpoints over ~9 years), then the
//      same plan persisted into an empty database (apply_plan) and replanned (idempotent diff).
//   2. Extraction against the PNCP simulator, run as a child process (so getrusage counts
//      only our side): the full extractor (claims, fetch engine, hash + zstd, drift sample,
//      writer thread, DuckDB) vs a plain libcurl multi fetch of the same URLs at the same
//      concurrency with no storage. Two shapes: large pages (contratos, 500 records/page) and
//      many small tasks (contratacoes_publicacao, 14 modalidades a day). pages/s, MB/s, the
//      ratio and CPU per page.
//
//   build/bench/bench_extract_throughput [days=31] [concurrency=4] [contratos/day=4000]
//                                        [contratacoes/day=300]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "bench_clock.h"
#include "core/log.h"
#include "db/database.h"
#include "db/migrations.h"
#include "extract/extractor.h"
#include "extract/http_client.h"
#include "plan/plan_store.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using bench::Clock;
using bench::cpu_seconds;
using bench::seconds_since;
using namespace baliza;

// The simulator as a child process on an ephemeral loopback port.
class SimProcess {
 public:
  explicit SimProcess(const std::string& volumes) {
    const std::string bin =
        (fs::path(BALIZA_BIN).parent_path() / "tools" / "pncp-sim" / "pncp-sim").string();
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    std::vector<std::string> args{
        bin, "--port", "0", "--today", "20240630", "--threads", "8", "--records-per-day", volumes};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    if (posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + bin);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    std::string line;
    char ch;
    while (read(fds[0], &ch, 1) == 1 && ch != '\n') line += ch;
    close(fds[0]);
    const size_t at = line.find("http://");
    if (at == std::string::npos) throw std::runtime_error("simulator said: " + line);
    base_url_ = line.substr(at, line.find(' ', at) - at);
  }
  ~SimProcess() {
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
  }
  const std::string& base_url() const { return base_url_; }

 private:
  pid_t pid_ = -1;
  std::string base_url_;
};

struct Run {
  double seconds = 0, cpu = 0;
  std::int64_t pages = 0;
  double bytes = 0;
};

plan::EndpointsConfig bench_config() {
  return plan::parse_endpoints(
      {plan::builtin_pncp_endpoints(),
       {"bench.yaml",
        "defaults:\n  rate_limit: {requests_per_second: 10000, burst: 1000}\n"
        "  retry: {max_attempts: 3, base_backoff_ms: 10, max_backoff_ms: 100}\n"}});
}

Run extract_once(const std::string& db_path, const std::string& base_url,
                 const std::string& endpoint, const std::string& range, int concurrency) {
  fs::remove(db_path);
  fs::remove(db_path + ".wal");
  auto db = Database::open(db_path);
  Connection conn(db);
  apply_migrations(conn);
  if (getenv("BENCH_THREADS"))
    conn.execute(std::string("SET threads = ") + getenv("BENCH_THREADS"));
  const auto config = bench_config();
  const auto r = plan::parse_range(range);
  const auto p =
      plan::plan_tasks(config, {r, {endpoint}, plan::Date{std::chrono::year(2024) / 6 / 30}});
  plan::apply_plan(conn, config, p, {r, {endpoint}}, false, "bench");
  extract::ExtractOptions o;
  o.scope.first_date = plan::iso_date(r.first);
  o.scope.last_date = plan::iso_date(r.last);
  o.scope.endpoints = {endpoint};
  o.base_url = base_url;
  o.concurrency = concurrency;
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now();
  const auto result = extract::run_extract(conn, config, o);
  Run run;
  run.seconds = seconds_since(start);
  run.cpu = cpu_seconds() - cpu0;
  run.pages = result.total().pages;
  run.bytes = static_cast<double>(result.total().bytes);
  if (result.exit_code() != 0)
    std::fprintf(stderr, "%s", extract::describe_extract_result(result).c_str());
  return run;
}

std::vector<std::string> stored_urls(const std::string& db_path) {
  auto db = Database::open(db_path);
  Connection conn(db);
  Result r = conn.query("SELECT url FROM raw.api_requests ORDER BY url");
  std::vector<std::string> urls;
  for (size_t i = 0; i < r.row_count(); ++i) urls.push_back(r.get_string(0, i));
  return urls;
}

Run plain_fetch(const std::vector<std::string>& urls, int concurrency) {
  extract::HttpClientOptions options;
  options.max_in_flight = concurrency;
  extract::HttpClient client(options);
  std::mutex mutex;
  std::condition_variable done;
  size_t finished = 0;
  Run run;
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now();
  for (const auto& url : urls) {
    client.submit({url, {}, 0}, [&](extract::HttpResult r) {
      std::lock_guard lock(mutex);
      if (r.http_status == 200 || r.http_status == 204) {  // the extractor counts both
        ++run.pages;
        run.bytes += static_cast<double>(r.body.size());
      }
      if (++finished == urls.size()) done.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  done.wait(lock, [&] { return finished == urls.size(); });
  run.seconds = seconds_since(start);
  run.cpu = cpu_seconds() - cpu0;
  return run;
}

// The fetch engine alone (rate limiter, retries, circuit breakers, envelope parse), sink
// discarding: tells the engine's share of the gap from the storage side's.
Run engine_fetch(const std::vector<std::string>& urls, int concurrency) {
  auto options = extract::engine_options(bench_config(), concurrency, 0);
  Run run;
  std::mutex mutex;
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now();
  {
    extract::FetchEngine engine(options, [&](extract::PageOutcome o) {
      std::lock_guard lock(mutex);
      if (o.status == extract::FetchStatus::kSuccess || o.status == extract::FetchStatus::kEmpty) {
        ++run.pages;
        run.bytes += static_cast<double>(o.body.size());
      }
    });
    for (size_t i = 0; i < urls.size(); ++i) engine.submit({"bench", urls[i], i, {}});
    engine.wait_idle();
  }
  run.seconds = seconds_since(start);
  run.cpu = cpu_seconds() - cpu0;
  return run;
}

void print_row(const char* what, const Run& r) {
  std::printf("| %s | %lld | %.2f | %.0f | %.1f | %.2f |\n", what, static_cast<long long>(r.pages),
              r.seconds, r.pages / r.seconds, r.bytes / 1048576.0 / r.seconds,
              r.pages ? 1000.0 * r.cpu / r.pages : 0.0);
}

void bench_planning() {
  const auto config = bench_config();
  const auto range = plan::parse_range("2015-01-01:2023-12-31");
  const plan::PlanRequest request{range, {}, plan::Date{std::chrono::year(2024) / 6 / 30}};
  double best = 1e9;
  plan::Plan p;
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    p = plan::plan_tasks(config, request);
    best = std::min(best, seconds_since(start));
  }
  auto db = Database::open(":memory:");
  Connection conn(db);
  apply_migrations(conn);
  auto start = Clock::now();
  const auto first = plan::apply_plan(conn, config, p, {range, {}}, false, "bench");
  const double persist = seconds_since(start);
  start = Clock::now();
  const auto again = plan::apply_plan(conn, config, p, {range, {}}, false, "bench");
  const double replan = seconds_since(start);
  std::printf("## Planning\n\n| step | tasks | seconds | target |\n|---|---|---|---|\n");
  std::printf("| plan_tasks (best of 3) | %zu | %.3f | < 1 s |\n", p.tasks.size(), best);
  std::printf("| persist into an empty plan (apply_plan) | %lld added | %.3f | |\n",
              static_cast<long long>(first.added), persist);
  std::printf("| replan, nothing changed | %lld unchanged | %.3f | |\n\n",
              static_cast<long long>(again.unchanged), replan);
}

void bench_extraction(const char* title, const std::string& volumes, const std::string& endpoint,
                      const std::string& range, int concurrency) {
  SimProcess sim(volumes);
  const std::string db_path = (fs::temp_directory_path() / "bench-extract.duckdb").string();
  // Warm-up: the simulator generates and caches its records; we learn the page URLs.
  extract_once(db_path, sim.base_url(), endpoint, range, concurrency);
  const std::vector<std::string> urls = stored_urls(db_path);
  plain_fetch(urls, concurrency);
  // Alternate so both see the same machine state; keep the best of two of each.
  Run plain, engine, full;
  for (int i = 0; i < 2; ++i) {
    Run p = plain_fetch(urls, concurrency);
    Run f = engine_fetch(urls, concurrency);
    Run e = extract_once(db_path, sim.base_url(), endpoint, range, concurrency);
    if (i == 0 || p.seconds < plain.seconds) plain = p;
    if (i == 0 || f.seconds < engine.seconds) engine = f;
    if (i == 0 || e.seconds < full.seconds) full = e;
  }
  fs::remove(db_path);
  fs::remove(db_path + ".wal");
  std::printf("## %s\n\n%s, %s, concurrency %d, %zu pages\n\n", title, endpoint.c_str(),
              range.c_str(), concurrency, urls.size());
  std::printf(
      "| run | pages | seconds | pages/s | MB/s | CPU ms/page |\n|---|---|---|---|---|---|\n");
  print_row("plain libcurl multi fetch, no storage", plain);
  print_row("fetch engine only (limits, retries, envelope parse), no storage", engine);
  print_row("baliza extractor (claims, engine, hash+zstd, writer, DuckDB)", full);
  std::printf("\nextractor / plain: **%.2fx** pages/s (target >= 0.8x)\n\n",
              (full.pages / full.seconds) / (plain.pages / plain.seconds));
}

}  // namespace

int main(int argc, char** argv) {
  const int days = argc > 1 ? std::atoi(argv[1]) : 31;
  const int concurrency = argc > 2 ? std::atoi(argv[2]) : 4;
  const std::string contratos = argc > 3 ? argv[3] : "4000";
  const std::string contratacoes = argc > 4 ? argv[4] : "300";
  const plan::Date first = std::chrono::year(2024) / 1 / 1;
  const plan::Date last{std::chrono::sys_days(first) + std::chrono::days(days - 1)};
  const std::string range = plan::iso_date(first) + ":" + plan::iso_date(last);
  baliza::log_configure(baliza::LogFormat::kText, baliza::LogLevel::kWarn);
  bench_planning();
  bench_extraction("Large pages", "contratos=" + contratos, "contratos", range, concurrency);
  bench_extraction("Many small tasks", "contratacoes=" + contratacoes, "contratacoes_publicacao",
                   range, concurrency);
  return 0;
}
