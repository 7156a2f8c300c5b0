#include "cli/context.h"

#include <cstdio>

#include "db/migrations.h"
#include "db/payload_functions.h"
#include "db/workflow_tables.h"
#include "ops/explain_request.h"

namespace baliza::cli {

std::shared_ptr<Database> open_database(const Settings& s, double wait_seconds) {
  OpenOptions open;
  open.memory_limit = s.memory_limit;
  open.threads = s.threads;
  open.wait_seconds = wait_seconds;
  return Database::open(s.db_path, open);
}

std::unique_ptr<ReadServer> serve_reads(std::shared_ptr<Database> db) {
  if (db->path() == ":memory:") return nullptr;
  // No setup: SQL functions such as baliza_payload() are registered database-wide by the
  // holder's main connection.
  // Trace and impact for other processes run here too (ops/explain_request.h).
  return ReadServer::start(std::move(db), nullptr, ops::explain_procedures());
}

const Settings& Context::settings() {
  if (!settings_) {
    settings_ = resolve_settings(options_.db, find_config_file(std::filesystem::current_path()));
  }
  return *settings_;
}

Connection& Context::db() {
  if (!conn_) {
    const Settings& s = settings();
    reader_.reset();  // a read-only open of the same file would keep the lock
    database_ = open_database(s, options_.wait);
    read_server_ = serve_reads(database_);
    conn_ = std::make_unique<Connection>(database_);
    apply_migrations(*conn_);
    // Holding the file to write, no workflow can be running: a `running` row is a killed one.
    mark_stale_workflow_runs(*conn_);
    register_payload_functions(*conn_, s.max_payload_bytes);
  }
  return *conn_;
}

void Context::use_default_db(const std::string& path) {
  settings();
  Settings& s = *settings_;
  if (s.db_source == "--db" || s.db_source == "BALIZA_DB") return;
  s.db_path = (s.project_dir / path).lexically_relative(std::filesystem::current_path()).string();
  s.db_source = "default";
}

std::shared_ptr<Database> Context::database() {
  db();
  return database_;
}

Reader& Context::reader() {
  if (!reader_) {
    if (conn_) {
      reader_ = connection_reader(*conn_, false, ops::explain_procedures());
    } else {
      const Settings& s = settings();
      ReaderOptions o;
      o.wait_seconds = options_.wait;
      o.threads = s.threads;
      o.memory_limit = s.memory_limit;
      size_t max_payload = s.max_payload_bytes;
      o.setup = [max_payload](Connection& conn) { register_payload_functions(conn, max_payload); };
      o.procedures = ops::explain_procedures();
      reader_ = open_reader(s.db_path, o);
    }
  }
  return *reader_;
}

void Context::close_db() {
  reader_.reset();
  if (read_server_) read_server_->stop();
  read_server_.reset();
  conn_.reset();
  database_.reset();
}

Context::~Context() {
  close_db();
}

void Context::say(const std::string& line) const {
  if (!options_.quiet) std::fprintf(stderr, "%s\n", line.c_str());
  if (line.rfind("warning: ", 0) == 0) record(false, line.substr(9));
}

void Context::record(bool error, const std::string& message) const {
  std::lock_guard lock(outcome_mutex_);
  if (error) {
    outcome_.add_error(message);
  } else {
    outcome_.add_warning(message);
  }
}

void Context::count(const std::string& what, int64_t n) {
  std::lock_guard lock(outcome_mutex_);
  outcome_.counts.emplace_back(what, n);
}

ops::RunOutcome Context::outcome_snapshot() const {
  std::lock_guard lock(outcome_mutex_);
  return outcome_;
}

}  // namespace baliza::cli
