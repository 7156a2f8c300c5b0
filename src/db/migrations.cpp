#include "db/migrations.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "db/workflow_tables.h"

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
      {2, "extraction pipeline: task events, plan runs, superseded pages, drift, shifts, views",
       R"SQL(
-- task_plan gains removed_at, attempts and last_error. It is rebuilt rather than altered:
-- DuckDB 1.4 cannot replay from its WAL an ALTER TABLE ADD COLUMN on a table that has a
-- function default (created_at DEFAULT current_timestamp), so a process killed before the next
-- checkpoint would leave a file that no longer opens.
CREATE TABLE planning.task_plan_v1 AS SELECT * FROM planning.task_plan;
DROP TABLE planning.task_plan;
CREATE TABLE planning.task_plan (
  task_id VARCHAR PRIMARY KEY,
  endpoint_name VARCHAR NOT NULL,
  data_date DATE NOT NULL,
  window_end DATE,
  modalidade INTEGER,
  params VARCHAR NOT NULL,
  status VARCHAR NOT NULL DEFAULT 'pending',
  plan_fingerprint VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  updated_at TIMESTAMP,
  removed_at TIMESTAMP,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error VARCHAR
);
INSERT INTO planning.task_plan (task_id, endpoint_name, data_date, window_end, modalidade,
  params, status, plan_fingerprint, created_at, updated_at)
SELECT task_id, endpoint_name, data_date, window_end, modalidade, params, status,
  plan_fingerprint, created_at, updated_at
FROM planning.task_plan_v1;
DROP TABLE planning.task_plan_v1;
ALTER TABLE runtime.task_results ADD COLUMN superseded_at TIMESTAMP;
ALTER TABLE runtime.task_results ADD COLUMN run_id VARCHAR;

-- Every status change of a task (planned, claimed, done, failed, partial, released, removed,
-- restored, requeued, reaped), so a task's history survives replanning and reruns.
CREATE TABLE IF NOT EXISTS planning.task_events (
  task_id VARCHAR NOT NULL,
  event VARCHAR NOT NULL,
  status VARCHAR,
  run_id VARCHAR,
  detail VARCHAR,
  occurred_at TIMESTAMP NOT NULL
);
-- One row per `baliza plan` (or the implicit plan of `baliza extract`): what it changed.
CREATE TABLE IF NOT EXISTS planning.plan_runs (
  run_id VARCHAR NOT NULL,
  plan_fingerprint VARCHAR NOT NULL,
  previous_fingerprint VARCHAR,
  range_first DATE NOT NULL,
  range_last DATE NOT NULL,
  endpoints VARCHAR NOT NULL,
  added BIGINT NOT NULL,
  removed BIGINT NOT NULL,
  restored BIGINT NOT NULL,
  unchanged BIGINT NOT NULL,
  planned_at TIMESTAMP NOT NULL
);
-- totalRegistros moved while a task was being paged: the task was refetched.
CREATE TABLE IF NOT EXISTS meta.data_shifts (
  run_id VARCHAR,
  task_id VARCHAR NOT NULL,
  endpoint VARCHAR NOT NULL,
  page INTEGER,
  total_before BIGINT,
  total_after BIGINT,
  detected_at TIMESTAMP NOT NULL
);
-- Circuit breaker transitions (closed / open / half_open) per endpoint and run.
CREATE TABLE IF NOT EXISTS meta.circuit_events (
  run_id VARCHAR,
  endpoint VARCHAR NOT NULL,
  from_state VARCHAR NOT NULL,
  to_state VARCHAR NOT NULL,
  occurred_at TIMESTAMP NOT NULL
);
-- `baliza verify`: stored pages refetched and compared by SHA-256.
CREATE TABLE IF NOT EXISTS meta.verifications (
  run_id VARCHAR NOT NULL,
  request_id VARCHAR NOT NULL,
  task_id VARCHAR,
  endpoint VARCHAR NOT NULL,
  url VARCHAR NOT NULL,
  page INTEGER,
  stored_sha256 VARCHAR,
  fetched_sha256 VARCHAR,
  fetched_request_id VARCHAR,
  outcome VARCHAR NOT NULL,
  http_status INTEGER,
  message VARCHAR,
  checked_at TIMESTAMP NOT NULL
);

-- Task counts per endpoint, date and status.
CREATE OR REPLACE VIEW planning.task_status AS
SELECT endpoint_name, data_date, status, removed_at IS NULL AS in_plan, count(*) AS tasks
FROM planning.task_plan
GROUP BY ALL;

-- Every event of every task, with what the task asks for.
CREATE OR REPLACE VIEW planning.task_history AS
SELECT e.occurred_at, e.task_id, t.endpoint_name, t.data_date, t.modalidade, e.event, e.status,
       e.run_id, e.detail
FROM planning.task_events e
LEFT JOIN planning.task_plan t USING (task_id);

-- Planned vs done vs failed per endpoint x date, with the pages and records stored
-- (current pages only: pages superseded by a refetch after a data shift are not counted).
CREATE OR REPLACE VIEW planning.coverage AS
WITH pages AS (
  SELECT task_id, count(*) AS pages, sum(records_count) AS records
  FROM runtime.task_results
  WHERE superseded_at IS NULL
  GROUP BY task_id
)
SELECT t.endpoint_name, t.data_date,
       count(*) FILTER (WHERE t.removed_at IS NULL) AS planned,
       count(*) FILTER (WHERE t.status = 'done') AS done,
       count(*) FILTER (WHERE t.status = 'failed') AS failed,
       count(*) FILTER (WHERE t.status = 'partial') AS partial,
       count(*) FILTER (WHERE t.status IN ('pending', 'claimed')) AS pending,
       count(*) FILTER (WHERE t.status = 'removed') AS removed,
       coalesce(sum(p.pages), 0) AS pages,
       coalesce(sum(p.records), 0) AS records,
       round(100.0 * count(*) FILTER (WHERE t.status = 'done' AND t.removed_at IS NULL)
             / greatest(count(*) FILTER (WHERE t.removed_at IS NULL), 1), 1) AS pct_done
FROM planning.task_plan t
LEFT JOIN pages p USING (task_id)
GROUP BY ALL;
)SQL"},
      {3, "transform run and node results", R"SQL(
CREATE TABLE IF NOT EXISTS meta.run_results (
  run_id VARCHAR PRIMARY KEY,
  command VARCHAR NOT NULL,
  project VARCHAR NOT NULL,
  invocation VARCHAR,
  status VARCHAR NOT NULL,
  started_at TIMESTAMP NOT NULL,
  completed_at TIMESTAMP NOT NULL,
  elapsed_seconds DOUBLE NOT NULL,
  pass INTEGER NOT NULL,
  warn INTEGER NOT NULL,
  error INTEGER NOT NULL,
  skip INTEGER NOT NULL,
  total INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta.node_results (
  run_id VARCHAR NOT NULL,
  unique_id VARCHAR NOT NULL,
  resource_type VARCHAR NOT NULL,
  relation VARCHAR,
  status VARCHAR NOT NULL,
  started_at TIMESTAMP,
  completed_at TIMESTAMP,
  execution_time DOUBLE NOT NULL,
  thread_id VARCHAR,
  rows_affected BIGINT,
  failures BIGINT,
  message VARCHAR,
  PRIMARY KEY (run_id, unique_id)
);
)SQL"},
      {4, "record accounting per run", R"SQL(
CREATE TABLE IF NOT EXISTS meta.record_accounting (
  run_id VARCHAR NOT NULL,
  model VARCHAR NOT NULL,
  raw_records BIGINT NOT NULL,
  output_rows BIGINT NOT NULL,
  filtered_older_versions BIGINT NOT NULL,
  filter VARCHAR NOT NULL,
  quarantined BIGINT NOT NULL,
  balanced BOOLEAN NOT NULL,
  computed_at TIMESTAMP,
  PRIMARY KEY (run_id, model)
);
)SQL"},
      {5, "record ledger of every model per run (successor of meta.record_accounting)", R"SQL(
CREATE TABLE IF NOT EXISTS meta.model_accounting (
  run_id VARCHAR NOT NULL,
  unique_id VARCHAR NOT NULL,
  model VARCHAR NOT NULL,
  relation VARCHAR,
  shape VARCHAR,
  status VARCHAR NOT NULL,      -- balanced, unbalanced, not_accounted
  input_rows BIGINT,
  output_rows BIGINT,
  filtered_rows BIGINT,
  error_rows BIGINT,
  equation VARCHAR,
  gate VARCHAR NOT NULL,        -- ok, warn, error
  message VARCHAR,
  computed_at TIMESTAMP,
  PRIMARY KEY (run_id, unique_id)
);
CREATE TABLE IF NOT EXISTS meta.record_ledger (
  run_id VARCHAR NOT NULL,
  unique_id VARCHAR NOT NULL,
  model VARCHAR NOT NULL,
  line INTEGER NOT NULL,
  kind VARCHAR NOT NULL,        -- input, read, lookup, output, filtered, error, fanout, groups
  relation VARCHAR,
  reason VARCHAR,
  rows BIGINT NOT NULL,
  PRIMARY KEY (run_id, unique_id, line)
);
)SQL"},
      {6, "completeness checks: a task's total read again after its pages were stored", R"SQL(
-- outcome: 'confirmed' (page 1 read again gave the same totalRegistros: the task is proved
-- complete at checked_at) or 'moved' (another total: the task was paged again).
CREATE TABLE IF NOT EXISTS meta.completeness_checks (
  run_id VARCHAR,
  task_id VARCHAR NOT NULL,
  endpoint VARCHAR NOT NULL,
  total_records BIGINT,
  total_after BIGINT,
  outcome VARCHAR NOT NULL,
  checked_at TIMESTAMP NOT NULL
);
)SQL"},
      {7, "workflow runs and steps, period runs", workflow_tables_sql()},
      {8, "workflow runs: the process running each one", workflow_tables_upgrade_sql()},
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
