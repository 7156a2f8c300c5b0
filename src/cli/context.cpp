#include "cli/context.h"

#include <cstdio>

#include "db/migrations.h"
#include "db/payload_functions.h"

namespace baliza::cli {

std::shared_ptr<Database> open_database(const Settings& s) {
  OpenOptions open;
  open.memory_limit = s.memory_limit;
  open.threads = s.threads;
  return Database::open(s.db_path, open);
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
    database_ = open_database(s);
    conn_ = std::make_unique<Connection>(database_);
    apply_migrations(*conn_);
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

void Context::close_db() {
  conn_.reset();
  database_.reset();
}

void Context::say(const std::string& line) const {
  if (!options_.quiet) std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace baliza::cli
