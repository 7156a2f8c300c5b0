#include "cli/context.h"

#include <cstdio>

#include "db/migrations.h"
#include "db/payload_functions.h"

namespace baliza::cli {

const Settings& Context::settings() {
  if (!settings_) {
    settings_ = resolve_settings(options_.db, find_config_file(std::filesystem::current_path()));
  }
  return *settings_;
}

Connection& Context::db() {
  if (!conn_) {
    const Settings& s = settings();
    auto database = Database::open(s.db_path);
    conn_ = std::make_unique<Connection>(database);
    apply_migrations(*conn_);
    register_payload_functions(*conn_, s.max_payload_bytes);
  }
  return *conn_;
}

void Context::close_db() {
  conn_.reset();
}

void Context::say(const std::string& line) const {
  if (!options_.quiet) std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace baliza::cli
