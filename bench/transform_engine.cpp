// Transformation engine figures (plain main; see bench/results/transform.md):
//   1. parse + compile + validate of a synthetic 10k-model project, with peak RSS;
//   2. per-model overhead of `baliza transform` against running the same compiled SQL
//      directly through DuckDB, on a 200-model project of views and tables;
//   3. a 100k-row seed loaded by `baliza seed`.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "db/database.h"
#include "transform/compiler.h"
#include "transform/dag.h"
#include "transform/sql_dependencies.h"
#include "transform/synthetic_project.h"

namespace fs = std::filesystem;
using namespace baliza;
using namespace baliza::transform;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
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

void parse_compile_validate(const fs::path& dir) {
  write_synthetic_project(dir, {.models = 10000});
  auto t0 = Clock::now();
  Project p = load_project(dir);
  double load = since(t0);
  Dag dag = Dag::build(p);
  double dag_s = since(t0) - load;
  auto db = Database::open(":memory:");
  Connection conn(db);
  auto t1 = Clock::now();
  add_plain_sql_dependencies(p, dag, conn);  // renders every model and parses it with DuckDB
  double parse_s = since(t1);
  Compiler compiler(p);
  auto t2 = Clock::now();
  std::size_t bytes = 0;
  for (std::size_t i : dag.topological_order())
    if (dag.node(i).resource_type == ResourceType::kModel)
      bytes += compiler.compile(dag.node(i), false).sql.size();
  double compile_s = since(t2);
  std::printf(
      "10k models: load %.3fs, dag %.3fs, DuckDB parse of all models %.3fs, compile %.3fs "
      "(%zu bytes); total %.3fs; peak RSS %ld MB\n",
      load, dag_s, parse_s, compile_s, bytes, since(t0), peak_rss_mb());
}

void per_model_overhead(const fs::path& dir) {
  const int n = 200;
  write(dir / "baliza.yml", "name: b\ndatabase: b.duckdb\n");
  std::string direct;
  for (int i = 0; i < n; ++i) {
    std::string name = "m";
    name += std::to_string(i);
    std::string parent = i == 0 ? "range(100)" : "{{ ref('m" + std::to_string(i - 1) + "') }}";
    std::string kind = i % 2 ? "view" : "table";
    write(dir / "models" / (name + ".sql"), "{{ config(materialized='" + kind + "') }}select " +
                                                (i == 0 ? "range AS id" : "id") + " from " +
                                                parent + "\n");
    std::string parent_sql = i == 0 ? "range(100)" : "main.m" + std::to_string(i - 1);
    direct += "CREATE OR REPLACE " + std::string(i % 2 ? "VIEW" : "TABLE") + " main." + name +
              " AS select " + (i == 0 ? "range AS id" : "id") + " from " + parent_sql + ";\n";
  }
  std::string bin = BALIZA_BIN;
  run("cd " + dir.string() + " && " + bin + " -q transform --threads 1 >/dev/null 2>&1");  // warm
  auto t0 = Clock::now();
  run("cd " + dir.string() + " && " + bin + " -q transform --threads 1 >/dev/null 2>&1");
  double engine = since(t0);
  auto db = Database::open((dir / "direct.duckdb").string());
  Connection conn(db);
  conn.execute(direct);
  auto t1 = Clock::now();
  conn.execute(direct);
  double raw = since(t1);
  auto t2 = Clock::now();
  run(bin + " --version >/dev/null");
  double startup = since(t2);
  std::printf(
      "%d models (chain, half tables): baliza transform %.3fs, same SQL direct %.3fs; "
      "overhead %.3f ms/model (process start %.3fs included in the total)\n",
      n, engine, raw, (engine - raw) * 1000 / n, startup);
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
  run("cd " + dir.string() + " && " + bin + " -q seed >/dev/null 2>&1");  // creates the db
  auto t0 = Clock::now();
  int rc = run("cd " + dir.string() + " && " + bin + " -q seed >/dev/null 2>&1");
  std::printf("100k-row seed (%zu bytes): %.3fs (whole process, exit %d)\n", csv.size(), since(t0),
              rc);
}

}  // namespace

int main() {
  fs::path base =
      fs::temp_directory_path() / ("baliza-bench-transform-" + std::to_string(::getpid()));
  parse_compile_validate(base / "synthetic");
  per_model_overhead(base / "overhead");
  big_seed(base / "seed");
  fs::remove_all(base);
  return 0;
}
