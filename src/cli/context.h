// What every command shares: the global flags and, on demand, the open database.
// Opening the database loads DuckDB, applies pending migrations and registers Baliza's SQL
// functions, so a command that never calls db() starts in a few milliseconds.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "db/database.h"
#include "db/read_server.h"
#include "db/reader.h"
#include "ops/run_outcome.h"

namespace CLI {
class App;
}

namespace baliza::cli {

struct GlobalOptions {
  std::optional<std::string> db;
  std::string log_format = "text";
  std::string log_level = "info";
  bool quiet = false;
  double wait = 0;  // --wait[=SECONDS]: 0 fail at once on a locked file, < 0 wait forever
  std::vector<std::string> sets;  // --set section.key=value (core/config.h)
};

class Context {
 public:
  // Keeps a reference: the options are filled in while the command line is parsed.
  explicit Context(const GlobalOptions& options) : options_(options) {}
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const GlobalOptions& options() const { return options_; }
  // Settings from flags, environment and baliza.yml; resolved once.
  const Settings& settings();
  // The database connection, opened (and migrated) on first use.
  Connection& db();
  // The open database (opening it if needed), for commands that need more connections to it.
  // Never open the same file a second time in one process: DuckDB would run two instances.
  std::shared_ptr<Database> database();
  bool db_is_open() const { return conn_ != nullptr; }
  // For commands that only read: this process's connection when it holds the database, else
  // the holder's read socket, else the file opened read-only (db/reader.h). Opened once.
  Reader& reader();
  // Forgets the reader (closing a read-only file), e.g. before opening the file to write.
  void close_reader() { reader_.reset(); }
  // Closes the database (e.g. before copying or deleting its file).
  void close_db();
  // Uses path as the database unless --db or BALIZA_DB chose one (for `baliza demo`, which
  // must not mix synthetic data into the user's database). Call before db().
  void use_default_db(const std::string& path);
  // Prints to stderr unless --quiet. A line "warning: ..." is also a warning of the run.
  void say(const std::string& line) const;

  // What this command did, for the notification at its end (cli/run_notifier.h). Thread-safe.
  void record(bool error, const std::string& message) const;  // a warning or an error
  void count(const std::string& what, int64_t n);             // "models ok", 12
  ops::RunOutcome outcome_snapshot() const;
  // A command that sent its own notification (a workflow) says so; the CLI then sends none.
  void mark_notified() { notified_ = true; }
  bool notified() const { return notified_; }

 private:
  const GlobalOptions& options_;
  std::optional<Settings> settings_;
  std::shared_ptr<Database> database_;
  std::unique_ptr<ReadServer> read_server_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<Reader> reader_;
  mutable std::mutex outcome_mutex_;
  mutable ops::RunOutcome outcome_;
  bool notified_ = false;
};

// The database file of the settings, opened with their DuckDB limits (memory_limit, threads);
// waits for another holder as --wait says.
std::shared_ptr<Database> open_database(const Settings& s, double wait_seconds = 0);
// Serves other baliza processes' reads of db through its read socket (db/read_server.h) while
// the returned server lives; nullptr for an in-memory database.
std::unique_ptr<ReadServer> serve_reads(std::shared_ptr<Database> db);

// Each command group adds its subcommands; the callback runs with the Context and returns the
// exit code. Defined in one file per group.
void add_admin_commands(CLI::App& app, Context& ctx, int& exit_code);
void add_query_commands(CLI::App& app, Context& ctx, int& exit_code);
void add_explain_commands(CLI::App& app, Context& ctx, int& exit_code);  // trace, impact, reconcile
void add_extract_commands(CLI::App& app, Context& ctx, int& exit_code);  // plan, extract, recovery
void add_transform_commands(CLI::App& app, Context& ctx,
                            int& exit_code);                        // transform, seed, test, ...
void add_ui_commands(CLI::App& app, Context& ctx, int& exit_code);  // ui
void add_pipeline_commands(CLI::App& app, Context& ctx,
                           int& exit_code);                            // run, demo, export, dry-run
void add_coord_commands(CLI::App& app, Context& ctx, int& exit_code);  // worker, pull, workers
void add_dbt_commands(CLI::App& app, Context& ctx, int& exit_code);    // baliza dbt <command>
void add_workflow_commands(CLI::App& app, Context& ctx,
                           int& exit_code);  // workflow list|run|status
void add_checkpoint_commands(CLI::App& app, Context& ctx, int& exit_code);  // checkpoint, rollback
void add_config_commands(CLI::App& app, Context& ctx, int& exit_code);      // config

// The coordinator URL of the settings; a usage error naming `command` and the fix when none.
std::string require_coordinator(const Settings& settings, const std::string& command);

}  // namespace baliza::cli
