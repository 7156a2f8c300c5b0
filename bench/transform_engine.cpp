// Transformation engine figures (plain main; see bench/results/transform.md):
//   1. parse + compile + validate of a synthetic 10k-model project, with peak RSS;
//   2. per-model overhead of `baliza transform` against running the same compiled SQL
//      directly through DuckDB, on chains of views and tables (200 and 1,000 models);
//   3. a 100k-row seed loaded by `baliza seed`.
// Every measure runs 3 times; the median is printed. Usage:
//   bench_transform_engine [--models N] [--only synthetic|compile|overhead|chain|seed]
// (chain: the 200-model chain of the overhead measure only).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "db/database.h"
#include "transform/compiler.h"
#include "transform/dag.h"
#include "transform/sql_dependencies.h"
#include "transform/synthetic_project.h"
#include "transform/validate.h"

namespace fs = std::filesystem;
using namespace baliza;
using namespace baliza::transform;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kRepeats = 3;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << s;
}

int run(const std::string& cmd) {
  return std::system(cmd.c_str());
}

// Seconds for `cmd`, median of kRepeats after one warm-up run.
double time_command(const std::string& cmd) {
  run(cmd);
  std::vector<double> t;
  for (int r = 0; r < kRepeats; ++r) {
    auto t0 = Clock::now();
    run(cmd);
    t.push_back(since(t0));
  }
  return median(t);
}

// CPU seconds (user + system) of this process's waited-for children so far.
double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Timing {
  double wall = 0, cpu = 0;  // medians of kRepeats
};

// Wall and CPU seconds of `cmd` (a whole process), medians of kRepeats after one warm-up run.
// On a machine shared with other work CPU time is the steadier figure.
Timing time_process(const std::string& cmd) {
  run(cmd);
  std::vector<double> wall, cpu;
  for (int r = 0; r < kRepeats; ++r) {
    double c0 = children_cpu_seconds();
    auto t0 = Clock::now();
    run(cmd);
    wall.push_back(since(t0));
    cpu.push_back(children_cpu_seconds() - c0);
  }
  return {median(wall), median(cpu)};
}

void parse_compile_validate(const fs::path& dir, std::size_t models) {
  SyntheticProjectStats stats = write_synthetic_project(dir, {.models = models});
  std::printf(
      "synthetic project: %zu models (%zu views, %zu tables, %zu incremental, %zu ephemeral), "
      "%zu sources, %zu tests\n",
      stats.models, stats.views, stats.tables, stats.incremental, stats.ephemeral, stats.sources,
      stats.tests);
  std::vector<double> load, dag_s, parse, compile, validate, total;
  std::size_t bytes = 0, issues = 0;
  for (int r = 0; r < kRepeats; ++r) {
    auto t0 = Clock::now();
    Project p = load_project(dir);
    load.push_back(since(t0));
    auto t1 = Clock::now();
    Dag dag = Dag::build(p);
    dag_s.push_back(since(t1));
    auto t2 = Clock::now();
    {
      auto db = Database::open(":memory:", {.threads = "1"});  // as `baliza ls/compile/validate`
      Connection conn(db);
      add_plain_sql_dependencies(p, dag, conn);  // renders every model, parsed by DuckDB
    }
    parse.push_back(since(t2));
    auto t3 = Clock::now();
    Compiler compiler(p);
    bytes = 0;
    for (std::size_t i : dag.topological_order())
      if (dag.node(i).resource_type == ResourceType::kModel)
        bytes += compiler.compile(dag.node(i), false).sql.size();
    compile.push_back(since(t3));
    auto t4 = Clock::now();
    issues = validate_project(p, dag, std::nullopt).size();
    validate.push_back(since(t4));
    total.push_back(since(t0));
  }
  std::printf(
      "%zu models (median of %d): load %.3fs, dag %.3fs, DuckDB parse pass %.3fs, compile %.3fs "
      "(%zu bytes of SQL), validate %.3fs (%zu issues); total %.3fs; peak RSS %ld MB\n",
      models, kRepeats, median(load), median(dag_s), median(parse), median(compile), bytes,
      median(validate), issues, median(total), peak_rss_mb());
}

// Load + compile only (no DuckDB), with the process CPU time of the compile step: on a shared
// machine CPU time is steadier than wall time. `baliza dbt compile` does this work.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void load_and_compile(const fs::path& dir, std::size_t models) {
  write_synthetic_project(dir, {.models = models});
  std::vector<double> load, compile, compile_cpu;
  std::size_t bytes = 0;
  for (int r = 0; r < kRepeats; ++r) {
    auto t0 = Clock::now();
    Project p = load_project(dir);
    load.push_back(since(t0));
    Dag dag = Dag::build(p);
    auto t1 = Clock::now();
    double c0 = cpu_seconds();
    Compiler compiler(p);
    bytes = 0;
    for (std::size_t i : dag.topological_order())
      if (dag.node(i).resource_type == ResourceType::kModel)
        bytes += compiler.compile(dag.node(i), false).sql.size();
    compile_cpu.push_back(cpu_seconds() - c0);
    compile.push_back(since(t1));
  }
  std::printf(
      "%zu models (median of %d): load %.3fs, compile %.3fs wall, %.3fs CPU (%zu bytes of SQL)\n",
      models, kRepeats, median(load), median(compile), median(compile_cpu), bytes);
}

// The same chain of n models (half tables, half views) as a baliza.yml project (`baliza
// transform`, which also measures each model's record ledger) and as a dbt project (`baliza dbt
// build`), against the same DDL run directly through DuckDB. Wall and CPU seconds.
void per_model_overhead(const fs::path& dir, int n) {
  const fs::path dbt = dir / "dbt";
  write(dir / "baliza.yml", "name: b\ndatabase: b.duckdb\n");
  write(dbt / "dbt_project.yml", "name: chain\nversion: '1.0'\nprofile: chain\n");
  write(dbt / "profiles.yml",
        "chain:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: "
        "chain.duckdb\n      threads: 1\n");
  std::string direct;
  for (int i = 0; i < n; ++i) {
    std::string name = "m";
    name += std::to_string(i);
    std::string parent = i == 0 ? "range(100)" : "{{ ref('m" + std::to_string(i - 1) + "') }}";
    std::string kind = i % 2 ? "view" : "table";
    std::string model = "{{ config(materialized='" + kind + "') }}select " +
                        (i == 0 ? "range AS id" : "id") + " from " + parent + "\n";
    write(dir / "models" / (name + ".sql"), model);
    write(dbt / "models" / (name + ".sql"), model);
    std::string parent_sql = i == 0 ? "range(100)" : "main.m" + std::to_string(i - 1);
    direct += "CREATE OR REPLACE " + std::string(i % 2 ? "VIEW" : "TABLE") + " main." + name +
              " AS select " + (i == 0 ? "range AS id" : "id") + " from " + parent_sql + ";\n";
  }
  std::string bin = BALIZA_BIN;
  Timing engine = time_process("cd " + dir.string() + " && " + bin +
                               " -q transform --threads 1 >/dev/null 2>&1");
  Timing dbt_build =
      time_process("cd " + dbt.string() + " && BALIZA_CEILING_DIRECTORIES=" + dir.string() + " " +
                   bin + " dbt build >/dev/null 2>&1");
  // Direct: the same DDL through one DuckDB connection, statements only, and as a process
  // would (open the file, run, close: the close checkpoints the WAL, as baliza's does).
  std::vector<double> raw, raw_process, raw_cpu;
  {
    auto db = Database::open((dir / "direct.duckdb").string());
    Connection conn(db);
    conn.execute(direct);  // warm
  }
  for (int r = 0; r < kRepeats; ++r) {
    double c0 = cpu_seconds();
    auto t0 = Clock::now();
    {
      auto db = Database::open((dir / "direct.duckdb").string());
      Connection conn(db);
      auto t1 = Clock::now();
      conn.execute(direct);
      raw.push_back(since(t1));
    }
    raw_process.push_back(since(t0));
    raw_cpu.push_back(cpu_seconds() - c0);
  }
  Timing startup = time_process(bin + " --version >/dev/null");
  const double direct_wall = median(raw_process) + startup.wall;
  const double direct_cpu = median(raw_cpu) + startup.cpu;
  std::printf(
      "%d models (chain, half tables, median of %d):\n"
      "  direct DuckDB: %.3fs statements only, %.3fs open + statements + close, %.3fs CPU "
      "(process start %.3fs wall, %.3fs CPU, added below)\n"
      "  baliza transform (with record ledger): %.3fs wall (%.2fx), %.3fs CPU (%.2fx); "
      "%.3f ms/model over direct\n"
      "  baliza dbt build: %.3fs wall (%.2fx), %.3fs CPU (%.2fx); %.3f ms/model over direct\n",
      n, kRepeats, median(raw), median(raw_process), median(raw_cpu), startup.wall, startup.cpu,
      engine.wall, engine.wall / direct_wall, engine.cpu, engine.cpu / direct_cpu,
      (engine.wall - direct_wall) * 1000 / n, dbt_build.wall, dbt_build.wall / direct_wall,
      dbt_build.cpu, dbt_build.cpu / direct_cpu, (dbt_build.wall - direct_wall) * 1000 / n);
}

void big_seed(const fs::path& dir) {
  write(dir / "baliza.yml", "name: s\ndatabase: s.duckdb\n");
  std::string csv = "id,name,amount,day\n";
  for (int i = 0; i < 100000; ++i)
    csv += std::to_string(i) + ",name_" + std::to_string(i % 977) + "," + std::to_string(i * 0.25) +
           ",2024-01-" + std::to_string(1 + i % 28) + "\n";
  write(dir / "seeds" / "big.csv", csv);
  write(dir / "models" / ".keep", "");
  std::string bin = BALIZA_BIN;
  double t = time_command("cd " + dir.string() + " && " + bin + " -q seed >/dev/null 2>&1");
  std::printf("100k-row seed (%zu bytes, median of %d): %.3fs (whole process)\n", csv.size(),
              kRepeats, t);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t models = 10000;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--models") == 0) models = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--only") == 0) only = argv[i + 1];
  }
  fs::path base =
      fs::temp_directory_path() / ("baliza-bench-transform-" + std::to_string(::getpid()));
  if (only.empty() || only == "synthetic") parse_compile_validate(base / "synthetic", models);
  if (only == "compile") load_and_compile(base / "compile", models);
  if (only.empty() || only == "overhead") {
    per_model_overhead(base / "overhead200", 200);
    per_model_overhead(base / "overhead1000", 1000);
  }
  if (only == "chain") per_model_overhead(base / "overhead200", 200);
  if (only.empty() || only == "seed") big_seed(base / "seed");
  fs::remove_all(base);
  return 0;
}
