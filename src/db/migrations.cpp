#include "db/migrations.h"

#include <string>
#include <vector>

#include "core/error.h"

namespace baliza {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// Append only: never edit a migration that has shipped; add a new one instead.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = {
      {1, "planning, runtime, raw and meta schemas", R"SQL(
CREATE SCHEMA IF NOT EXISTS planning;
CREATE SCHEMA IF NOT EXISTS runtime;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS lineage;
CREATE SCHEMA IF NOT EXISTS quarantine;

CREATE TABLE IF NOT EXISTS planning.task_plan (
  task_id VARCHAR PRIMARY KEY,
  endpoint_name VARCHAR NOT NULL,
  data_date DATE NOT NULL,
  window_end DATE,
  modalidade INTEGER,
  params VARCHAR NOT NULL,
  status VARCHAR NOT NULL DEFAULT 'pending',
  plan_fingerprint VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  updated_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS planning.task_plan_meta (
  plan_fingerprint VARCHAR PRIMARY KEY,
  config_text VARCHAR NOT NULL,
  task_count BIGINT NOT NULL,
  endpoints VARCHAR,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS runtime.task_claims (
  claim_id VARCHAR PRIMARY KEY,
  task_id VARCHAR NOT NULL,
  worker_id VARCHAR NOT NULL,
  claimed_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  status VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS runtime.task_results (
  result_id VARCHAR PRIMARY KEY,
  task_id VARCHAR NOT NULL,
  request_id VARCHAR NOT NULL,
  page_number INTEGER NOT NULL,
  records_count INTEGER NOT NULL,
  total_records BIGINT,
  total_pages INTEGER,
  completed_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.payloads (
  payload_sha256 VARCHAR PRIMARY KEY,
  codec VARCHAR NOT NULL,
  dict_id VARCHAR,
  raw_size BIGINT NOT NULL,
  compressed_size BIGINT NOT NULL,
  compressed BLOB NOT NULL,
  stored_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS raw.api_requests (
  request_id VARCHAR PRIMARY KEY,
  task_id VARCHAR,
  endpoint VARCHAR NOT NULL,
  url VARCHAR NOT NULL,
  params VARCHAR,
  page INTEGER,
  http_status INTEGER NOT NULL,
  etag VARCHAR,
  payload_sha256 VARCHAR,
  payload_size BIGINT,
  collected_at TIMESTAMP NOT NULL,
  ingestion_date DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS meta.execution_log (
  run_id VARCHAR NOT NULL,
  command VARCHAR NOT NULL,
  stage VARCHAR,
  status VARCHAR NOT NULL,
  message VARCHAR,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  details VARCHAR
);
CREATE TABLE IF NOT EXISTS meta.pipeline_metrics (
  run_id VARCHAR NOT NULL,
  metric VARCHAR NOT NULL,
  scope VARCHAR,
  value DOUBLE NOT NULL,
  recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS meta.schema_versions (
  endpoint VARCHAR NOT NULL,
  fingerprint VARCHAR NOT NULL,
  structure VARCHAR NOT NULL,
  first_seen_at TIMESTAMP NOT NULL,
  first_request_id VARCHAR,
  changes VARCHAR,
  PRIMARY KEY (endpoint, fingerprint)
);
CREATE TABLE IF NOT EXISTS meta.failed_requests (
  request_id VARCHAR NOT NULL,
  task_id VARCHAR,
  endpoint VARCHAR NOT NULL,
  url VARCHAR NOT NULL,
  page INTEGER,
  http_status INTEGER,
  error_class VARCHAR NOT NULL,
  error_message VARCHAR,
  attempts INTEGER NOT NULL,
  failed_at TIMESTAMP NOT NULL,
  resolved_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS meta.checkpoints (
  name VARCHAR PRIMARY KEY,
  value VARCHAR,
  updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
)SQL"},
  };
  return list;
}

}  // namespace

int latest_schema_version() {
  return migrations().back().version;
}

int current_schema_version(Connection& conn) {
  // One cheap query on the common path (an up-to-date database); a missing table means a
  // database Baliza never touched. information_schema is avoided: it costs milliseconds.
  try {
    auto version = conn.scalar("SELECT coalesce(max(version), 0) FROM meta.schema_migrations");
    return version ? std::stoi(*version) : 0;
  } catch (const Error&) {
    return 0;
  }
}

int apply_migrations(Connection& conn) {
  int current = current_schema_version(conn);
  if (current == latest_schema_version()) return 0;
  if (current > latest_schema_version()) {
    throw environment_error("database " + conn.database().path() + " has schema version " +
                            std::to_string(current) + " but this baliza knows only up to " +
                            std::to_string(latest_schema_version()) + ": upgrade baliza");
  }
  conn.execute(
      "CREATE SCHEMA IF NOT EXISTS meta;"
      "CREATE TABLE IF NOT EXISTS meta.schema_migrations (version INTEGER PRIMARY KEY, "
      "description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)");
  int applied = 0;
  for (const Migration& m : migrations()) {
    if (m.version <= current) continue;
    conn.transaction([&] {
      conn.execute(m.sql);
      conn.prepare("INSERT INTO meta.schema_migrations (version, description) VALUES ($1, $2)")
          .bind(1, m.version)
          .bind(2, m.description)
          .execute();
    });
    ++applied;
  }
  return applied;
}

}  // namespace baliza
