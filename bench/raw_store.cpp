// Raw store benchmark: put (SHA-256 + zstd + insert) and get (select + decompress + verify)
// throughput on realistic PNCP pages, the compression ratio, and the start-up time of the
// binary. Plain main: prints a Markdown table that bench/README.md records.
//
//   build/bench/bench_raw_store [pages=400] [records_per_page=500] [zstd_level=5]
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_clock.h"
#include "db/database.h"
#include "db/migrations.h"
#include "db/payload_functions.h"
#include "extract/raw_store.h"
#include "pncp_sim/data.h"

extern char** environ;

namespace {

using baliza::Connection;
using baliza::Database;
using bench::Clock;
using bench::cpu_seconds;
using bench::seconds_since;

// Pages of contratos and contratacoes as the simulator serves them (DTO-shaped records),
// paged like the API: {data, totalRegistros, totalPaginas, numeroPagina, ...}.
std::vector<std::string> make_pages(size_t pages, size_t per_page) {
  pncp_sim::Options options;
  options.volume.scale = 5;
  std::vector<nlohmann::json> pool;
  for (int day = 1; pool.size() < pages * per_page && day <= 28; ++day) {
    char date[16];
    std::snprintf(date, sizeof date, "202403%02d", day);
    for (auto& r : pncp_sim::records_for(options, "/v1/contratos", date, std::nullopt))
      pool.push_back(r);
    for (int m : {6, 8, 4}) {
      for (auto& r : pncp_sim::records_for(options, "/v1/contratacoes/publicacao", date, m)) {
        pool.push_back(r);
      }
    }
  }
  std::vector<std::string> out;
  size_t total_pages = std::max<size_t>(1, pool.size() / per_page);
  for (size_t p = 0; p < pages; ++p) {
    nlohmann::json page;
    page["data"] = nlohmann::json::array();
    for (size_t i = 0; i < per_page; ++i)
      page["data"].push_back(pool[(p * per_page + i) % pool.size()]);
    page["totalRegistros"] = pool.size();
    page["totalPaginas"] = total_pages;
    page["numeroPagina"] = p + 1;
    page["paginasRestantes"] = total_pages > p + 1 ? total_pages - p - 1 : 0;
    page["empty"] = false;
    out.push_back(page.dump());
  }
  return out;
}

// Runs argv n times and returns the sorted wall times in milliseconds.
std::vector<double> time_command(std::vector<std::string> args, int n) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto start = Clock::now();
    pid_t pid;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) break;
    int status;
    waitpid(pid, &status, 0);
    ms.push_back(seconds_since(start) * 1000);
  }
  posix_spawn_file_actions_destroy(&actions);
  std::sort(ms.begin(), ms.end());
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  size_t pages = argc > 1 ? std::stoul(argv[1]) : 400;
  size_t per_page = argc > 2 ? std::stoul(argv[2]) : 500;
  int level = argc > 3 ? std::stoi(argv[3]) : 5;

  std::vector<std::string> bodies = make_pages(pages, per_page);
  size_t raw_bytes = 0;
  for (auto& b : bodies) raw_bytes += b.size();

  auto dir = std::filesystem::temp_directory_path() / ("baliza-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string db_path = (dir / "bench.duckdb").string();
  size_t compressed_bytes = 0;
  double put_wall, put_cpu, get_wall, prep_wall;
  {
    Connection conn(Database::open(db_path, {.threads = "1"}));
    baliza::apply_migrations(conn);
    baliza::register_payload_functions(conn, size_t{256} << 20);
    baliza::RawStore store(conn, {level, size_t{256} << 20});

    // put: hash + compress + insert, batched in transactions of 50 pages (as the writer does).
    double cpu0 = cpu_seconds();
    auto start = Clock::now();
    double prep = 0;
    for (size_t i = 0; i < bodies.size(); i += 50) {
      conn.transaction([&] {
        for (size_t j = i; j < std::min(bodies.size(), i + 50); ++j) {
          baliza::RawRequest req;
          req.endpoint = "contratos";
          req.url = "http://127.0.0.1/v1/contratos?pagina=" + std::to_string(j + 1);
          req.page = static_cast<int>(j + 1);
          auto t = Clock::now();
          baliza::PreparedPayload p = baliza::prepare_payload(bodies[j], {level, 0});
          prep += seconds_since(t);
          compressed_bytes += store.store(req, p).compressed_size;
        }
      });
    }
    put_wall = seconds_since(start);
    put_cpu = cpu_seconds() - cpu0;
    prep_wall = prep;
    conn.execute("CHECKPOINT");

    auto hashes = conn.query("SELECT payload_sha256 FROM raw.payloads");
    start = Clock::now();
    size_t got = 0;
    for (size_t i = 0; i < hashes.row_count(); ++i)
      got += store.get(hashes.get_string(0, i)).size();
    get_wall = seconds_since(start);
    if (got != raw_bytes)
      std::fprintf(stderr, "get returned %zu bytes, expected %zu\n", got, raw_bytes);
  }
  double file_bytes = static_cast<double>(std::filesystem::file_size(db_path));

  double mb = raw_bytes / 1e6;
  std::printf("| measure | value |\n|---|---|\n");
  std::printf("| pages x records | %zu x %zu (%.1f MB of JSON, %.1f KB/page) |\n", pages, per_page,
              mb, raw_bytes / 1e3 / pages);
  std::printf("| zstd level | %d |\n", level);
  std::printf("| put (hash+compress+insert, 1 core) | %.0f MB/s wall, %.0f MB/s per CPU-second |\n",
              mb / put_wall, mb / put_cpu);
  std::printf("| of which hash+compress only | %.0f MB/s |\n", mb / prep_wall);
  std::printf("| get (select+decompress+verify) | %.0f MB/s |\n", mb / get_wall);
  std::printf("| compression ratio (JSON / zstd blob) | %.1fx |\n",
              double(raw_bytes) / compressed_bytes);
  std::printf("| JSON / database file size | %.1fx |\n", raw_bytes / file_bytes);

  const char* bin = BALIZA_BIN;
  auto version = time_command({bin, "--version"}, 30);
  auto select1 = time_command({bin, "--db", db_path, "query", "select 1"}, 15);
  auto report = [](const char* name, const std::vector<double>& ms) {
    if (ms.empty()) return;
    std::printf("| `%s` | median %.1f ms, min %.1f ms (%zu runs) |\n", name, ms[ms.size() / 2],
                ms[0], ms.size());
  };
  report("baliza --version", version);
  report("baliza query \"select 1\" (existing db)", select1);
  std::filesystem::remove_all(dir);
  return 0;
}
