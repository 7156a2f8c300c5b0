// Commands that set up and look after the database: init, doctor, reset, backup.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/context.h"
#include "core/clock.h"
#include "core/embedded_files.h"
#include "core/error.h"
#include "db/duckdb_api.h"
#include "db/migrations.h"
#include "ops/checkpoint.h"

namespace baliza::cli {
namespace fs = std::filesystem;
namespace {

uintmax_t file_size_or_zero(const fs::path& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  return ec ? 0 : size;
}

const char* kDefaultConfig =
    "# Baliza project settings. See README.md.\n"
    "name: baliza\n"
    "# The DuckDB file (relative to this folder). Override with --db or BALIZA_DB.\n"
    "database: data/baliza.duckdb\n"
    "raw_store:\n"
    "  zstd_level: 5        # 1 (fastest) .. 19 (smallest)\n"
    "  max_payload_mb: 256  # refuse to decompress a stored page larger than this\n"
    "# DuckDB's limits (default: 80% of RAM, a thread per core); env BALIZA_MEMORY_LIMIT and\n"
    "# BALIZA_THREADS win.\n"
    "# duckdb:\n"
    "#   memory_limit: 4GB\n"
    "#   threads: 2\n";

// Writes a built-in project (projects/<name>/**) into the current folder for the user to
// customise. Refuses to overwrite anything: every file it would write must be new.
void write_builtin_project(Context& ctx, const std::string& name) {
  std::string prefix = name + "/";
  std::vector<std::pair<fs::path, std::string>> files;
  for (const EmbeddedFile& f : embedded_files()) {
    if (f.path.rfind(prefix, 0) != 0) continue;
    std::string content(f.content);
    std::string rel = f.path.substr(prefix.size());
    if (rel == "baliza.yml") content += std::string("\n") + kDefaultConfig;
    files.emplace_back(fs::current_path() / rel, std::move(content));
  }
  if (files.empty()) throw usage_error("no built-in project named '" + name + "'; try pncp");
  std::string clashes;
  size_t clashing = 0;
  for (const auto& [path, content] : files) {
    if (fs::exists(path) && ++clashing <= 5) clashes += "\n  " + path.string();
  }
  if (clashing > 5) clashes += "\n  ... and " + std::to_string(clashing - 5) + " more";
  if (!clashes.empty()) {
    throw usage_error("init --project " + name + " would overwrite:" + clashes +
                      "\nRun it in an empty folder, or move these files away.");
  }
  for (const auto& [path, content] : files) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out) throw environment_error("cannot write " + path.string());
  }
  ctx.say("wrote the " + name + " project (" + std::to_string(files.size()) +
          " files): baliza.yml, endpoints.yaml, models/, seeds/, tests/");
}

void run_init(Context& ctx, const std::string& project) {
  if (!project.empty()) write_builtin_project(ctx, project);
  fs::path config = fs::current_path() / "baliza.yml";
  if (!fs::exists(config)) {
    std::ofstream out(config);
    out << kDefaultConfig;
    if (!out) throw environment_error("cannot write " + config.string());
    ctx.say("created baliza.yml");
  } else {
    ctx.say("baliza.yml already exists; left as it is");
  }
  const Settings& s = ctx.settings();
  bool existed = fs::exists(s.db_path);
  Connection& db = ctx.db();
  fs::create_directories(fs::path(s.db_path).parent_path().empty()
                             ? fs::path("data")
                             : fs::path(s.db_path).parent_path());
  ctx.say((existed ? "database " : "created database ") + s.db_path + " (schema version " +
          std::to_string(current_schema_version(db)) + ")");
}

struct Check {
  bool ok;
  std::string what;
  std::string fix;
};

std::vector<Check> run_checks(Context& ctx) {
  std::vector<Check> checks;
  auto attempt = [&](const std::string& name, const std::function<std::string()>& body,
                     const std::string& fix) {
    try {
      checks.push_back({true, name + ": " + body(), ""});
    } catch (const std::exception& e) {
      checks.push_back({false, name + ": " + e.what(), fix});
    }
  };
  attempt(
      "config",
      [&] {
        const Settings& s = ctx.settings();
        return (s.config_file ? s.config_file->string() : std::string("no baliza.yml (defaults)")) +
               "; database " + s.db_path + " (from " + s.db_source + ")";
      },
      "fix the file at the position shown");
  attempt(
      "duckdb",
      [&] {
        const DuckDbApi& api = duckdb_api();
        std::string version = api.duckdb_library_version();
        if (version.rfind("v1.4", 0) != 0) throw failure("version " + version + " is not 1.4 LTS");
        return version + " (" + api.library_path + ")";
      },
      "run scripts/fetch-duckdb, or set BALIZA_DUCKDB_LIB to a DuckDB 1.4 libduckdb.so");
  attempt(
      "database",
      [&] {
        Connection& db = ctx.db();
        db.transaction(
            [&] { db.execute("CREATE TEMP TABLE baliza_doctor_probe AS SELECT 1 AS x"); });
        db.execute("DROP TABLE baliza_doctor_probe");
        return ctx.settings().db_path + " opens and is writable";
      },
      "check the file's permissions, or whether another process holds it");
  attempt(
      "extensions",
      [&] {
        Connection& db = ctx.db();
        db.query("SELECT json_extract('{\"a\":1}', '$.a')");
        fs::path probe = fs::temp_directory_path() / ("baliza-doctor-" + random_id() + ".parquet");
        db.execute("COPY (SELECT 1 AS x) TO " + quote_literal(probe.string()) +
                   " (FORMAT parquet)");
        auto n =
            db.scalar("SELECT count(*) FROM read_parquet(" + quote_literal(probe.string()) + ")");
        fs::remove(probe);
        if (n != "1") throw failure("parquet round trip returned " + n.value_or("nothing"));
        return std::string("json and parquet built in");
      },
      "use the official DuckDB 1.4 build (scripts/fetch-duckdb); Baliza never downloads "
      "extensions");
  attempt(
      "schema",
      [&] {
        int current = current_schema_version(ctx.db()), latest = latest_schema_version();
        if (current != latest) {
          throw failure("version " + std::to_string(current) + ", expected " +
                        std::to_string(latest));
        }
        return "version " + std::to_string(current) + " (current)";
      },
      "run `baliza init`");
  attempt(
      "disk",
      [&] {
        fs::path dir = fs::absolute(ctx.settings().db_path).parent_path();
        auto space = fs::space(dir);
        if (space.available < (uintmax_t{1} << 30)) {
          throw failure("only " + ops::human_bytes(space.available) + " free in " + dir.string());
        }
        return ops::human_bytes(space.available) + " free in " + dir.string();
      },
      "free disk space (at least 1 GB), or use --db on another disk");
  return checks;
}

void run_doctor(Context& ctx, int& exit_code) {
  auto checks = run_checks(ctx);
  int failed = 0;
  for (const auto& c : checks) {
    std::printf("%s %s\n", c.ok ? "[ok]  " : "[FAIL]", c.what.c_str());
    if (!c.ok) {
      std::printf("       fix: %s\n", c.fix.c_str());
      ++failed;
    }
  }
  std::printf("%s\n",
              failed ? (std::to_string(failed) + " check(s) failed").c_str() : "all checks passed");
  exit_code = failed ? static_cast<int>(ExitCode::kFailure) : 0;
}

void run_reset(Context& ctx, bool force) {
  const Settings& s = ctx.settings();
  std::vector<fs::path> doomed;
  for (const fs::path& p : {fs::path(s.db_path), fs::path(s.db_path + ".wal")}) {
    if (fs::exists(p)) doomed.push_back(p);
  }
  fs::path exports = fs::path(s.db_path).parent_path() / "exports";
  if (fs::exists(exports)) doomed.push_back(exports);
  if (doomed.empty()) {
    ctx.say("nothing to reset: " + s.db_path + " does not exist");
    return;
  }
  std::string list;
  for (const auto& p : doomed) {
    list += "\n  " + p.string() +
            (fs::is_directory(p) ? "/" : " (" + ops::human_bytes(file_size_or_zero(p)) + ")");
  }
  if (!force) {
    throw usage_error("reset would delete:" + list +
                      "\nBackups in data/backups/ and checkpoints are kept; a checkpoint is taken "
                      "first. Run `baliza reset --force` to do it "
                      "(consider `baliza backup` first).");
  }
  // Opening the database first proves no other process holds it (else: lock error, exit 3).
  Connection& db = ctx.db();
  if (auto c = ops::checkpoint_before(db, ops::checkpoint_policy(s), "reset")) {
    ctx.say("checkpoint " + std::to_string(c->id) + " taken: `baliza rollback --to-checkpoint " +
            std::to_string(c->id) + "` brings this data back");
  }
  ctx.close_db();
  for (const auto& p : doomed) fs::remove_all(p);
  ctx.say("deleted:" + list);
}

void run_backup(Context& ctx) {
  const Settings& s = ctx.settings();
  if (!fs::exists(s.db_path)) {
    throw usage_error("no database at " + s.db_path + " to back up (run `baliza init` first)");
  }
  Connection& db = ctx.db();
  // A checkpoint folds the WAL into the file; holding the only write lock while copying means
  // no one else can change it meanwhile, so the copy is consistent.
  db.execute("CHECKPOINT");
  fs::path dir = fs::path(s.db_path).parent_path() / "backups";
  fs::create_directories(dir);
  fs::path target =
      dir / (fs::path(s.db_path).stem().string() + "-" + utc_compact_now() + ".duckdb");
  fs::path partial = target.string() + ".partial";
  fs::copy_file(s.db_path, partial, fs::copy_options::overwrite_existing);
  fs::rename(partial, target);
  std::printf("%s (%s)\n", target.c_str(), ops::human_bytes(fs::file_size(target)).c_str());
}

}  // namespace

void add_admin_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static bool force = false;
  static std::string project;
  auto* init = app.add_subcommand(
      "init", "Create baliza.yml, data/ and the database with its schema (safe to rerun)");
  init->add_option("--project", project,
                   "Also write a built-in project (pncp) here, to customise its models");
  init->callback([&ctx] { run_init(ctx, project); });
  app.add_subcommand("doctor", "Check DuckDB, extensions, database, schema, disk and config")
      ->callback([&ctx, &exit_code] { run_doctor(ctx, exit_code); });
  auto* reset = app.add_subcommand("reset", "Delete all data (refuses without --force)");
  reset->add_flag("--force", force, "Really delete");
  reset->callback([&ctx] { run_reset(ctx, force); });
  app.add_subcommand("backup",
                     "Copy the database consistently to data/backups/<name>-<time>.duckdb")
      ->callback([&ctx] { run_backup(ctx); });
}

}  // namespace baliza::cli
