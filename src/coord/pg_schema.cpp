#include "coord/pg_schema.h"

#include <cstdint>
#include <string>

namespace baliza::coord {
namespace {

// Version 1. Add new versions as new statements guarded by baliza.schema_version.
const char* const kSchemaV1 = R"SQL(
CREATE SCHEMA IF NOT EXISTS baliza;
CREATE TABLE IF NOT EXISTS baliza.schema_version (version integer PRIMARY KEY);
CREATE TABLE IF NOT EXISTS baliza.task_plan (
  task_id text PRIMARY KEY,
  endpoint_name text NOT NULL,
  data_date date NOT NULL,
  window_end date,
  modalidade integer,
  params text NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  plan_fingerprint text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  removed_at timestamp,
  created_at timestamp NOT NULL DEFAULT now(),
  updated_at timestamp,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX IF NOT EXISTS task_plan_claimable ON baliza.task_plan (status, data_date, task_id);
CREATE TABLE IF NOT EXISTS baliza.task_claims (
  claim_id text PRIMARY KEY,
  task_id text NOT NULL,
  worker_id text NOT NULL,
  claimed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  status text NOT NULL
);
CREATE INDEX IF NOT EXISTS task_claims_active ON baliza.task_claims (worker_id) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS task_claims_expiry ON baliza.task_claims (expires_at) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS task_claims_task ON baliza.task_claims (task_id);
CREATE TABLE IF NOT EXISTS baliza.workers (
  worker_id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  started_at timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  status text NOT NULL
);
CREATE TABLE IF NOT EXISTS baliza.payloads (
  payload_sha256 text PRIMARY KEY,
  codec text NOT NULL,
  raw_size bigint NOT NULL,
  compressed bytea NOT NULL,
  stored_at timestamp NOT NULL DEFAULT now(),
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE IF NOT EXISTS baliza.api_requests (
  request_id text PRIMARY KEY,
  task_id text,
  endpoint text NOT NULL,
  url text NOT NULL,
  params text,
  page integer,
  http_status integer NOT NULL,
  etag text,
  payload_sha256 text,
  payload_size bigint,
  collected_at timestamp NOT NULL,
  worker_id text,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX IF NOT EXISTS api_requests_worker ON baliza.api_requests (worker_id, collected_at);
CREATE TABLE IF NOT EXISTS baliza.task_results (
  result_id text PRIMARY KEY,
  task_id text NOT NULL,
  request_id text NOT NULL,
  page_number integer NOT NULL,
  records_count integer NOT NULL,
  total_records bigint,
  total_pages integer,
  completed_at timestamp NOT NULL,
  superseded_at timestamp,
  run_id text,
  worker_id text,
  put_seq bigint NOT NULL DEFAULT 0,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX IF NOT EXISTS task_results_task ON baliza.task_results (task_id) WHERE superseded_at IS NULL;
CREATE TABLE IF NOT EXISTS baliza.failed_requests (
  request_id text PRIMARY KEY,
  task_id text,
  endpoint text NOT NULL,
  url text NOT NULL,
  page integer,
  http_status integer,
  error_class text NOT NULL,
  error_message text,
  attempts integer NOT NULL,
  failed_at timestamp NOT NULL,
  resolved_at timestamp,
  worker_id text,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE IF NOT EXISTS baliza.data_shifts (
  shift_id text PRIMARY KEY,
  run_id text,
  task_id text NOT NULL,
  endpoint text NOT NULL,
  page integer,
  total_before bigint,
  total_after bigint,
  detected_at timestamp NOT NULL,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE IF NOT EXISTS baliza.circuit_events (
  event_id text PRIMARY KEY,
  run_id text,
  endpoint text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  occurred_at timestamp NOT NULL,
  worker_id text,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE IF NOT EXISTS baliza.schema_versions (
  endpoint text NOT NULL,
  fingerprint text NOT NULL,
  structure text NOT NULL,
  first_seen_at timestamp NOT NULL,
  first_request_id text,
  changes text,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  PRIMARY KEY (endpoint, fingerprint)
);
CREATE TABLE IF NOT EXISTS baliza.execution_log (
  run_id text PRIMARY KEY,
  worker_id text NOT NULL,
  command text NOT NULL,
  status text NOT NULL,
  message text,
  started_at timestamp NOT NULL,
  finished_at timestamp,
  details text,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE IF NOT EXISTS baliza.pipeline_metrics (
  run_id text NOT NULL,
  metric text NOT NULL,
  scope text,
  value double precision NOT NULL,
  recorded_at timestamp NOT NULL DEFAULT now()
);
INSERT INTO baliza.schema_version VALUES (1) ON CONFLICT DO NOTHING;
)SQL";

// Version 2: a task's total read again once its pages were stored (ExtractionStore).
const char* const kSchemaV2 = R"SQL(
CREATE TABLE IF NOT EXISTS baliza.completeness_checks (
  check_id text PRIMARY KEY,
  run_id text,
  task_id text NOT NULL,
  endpoint text NOT NULL,
  total_records bigint,
  total_after bigint,
  outcome text NOT NULL,
  checked_at timestamp NOT NULL,
  worker_id text
);
INSERT INTO baliza.schema_version VALUES (2) ON CONFLICT DO NOTHING;
)SQL";

// Version 3: completeness checks are pulled too (by transaction id, like every other table).
const char* const kSchemaV3 = R"SQL(
ALTER TABLE baliza.completeness_checks ADD COLUMN IF NOT EXISTS
  xid xid8 NOT NULL DEFAULT pg_current_xact_id();
INSERT INTO baliza.schema_version VALUES (3) ON CONFLICT DO NOTHING;
)SQL";

constexpr std::int64_t kSchemaVersion = 3;  // the newest version this binary writes

void refuse_newer(std::int64_t version, const PgConnection& conn) {
  if (version <= kSchemaVersion) return;
  throw environment_error("the coordinator " + redact_url(conn.url()) + " has schema version " +
                          std::to_string(version) + " (baliza.schema_version), newer than this " +
                          "baliza knows (" + std::to_string(kSchemaVersion) +
                          "): upgrade baliza on this machine to the version the other workers run");
}

}  // namespace

void ensure_coordinator_schema(PgConnection& conn) {
  // Cheap check first: workers start often, the DDL runs once.
  const PgResult ready = conn.exec(
      "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'baliza' AND tablename = "
      "'schema_version'");
  if (ready.get_int64(0, 0) > 0) {
    const PgResult v = conn.exec("SELECT coalesce(max(version), 0) FROM baliza.schema_version");
    refuse_newer(v.get_int64(0, 0), conn);
    if (v.get_int64(0, 0) >= kSchemaVersion) return;
  }
  conn.transaction([&] {
    conn.exec("SELECT pg_advisory_xact_lock(7355608)");  // one DDL runner at a time
    conn.exec_script(kSchemaV1);
    conn.exec_script(kSchemaV2);
    conn.exec_script(kSchemaV3);
    refuse_newer(conn.exec("SELECT max(version) FROM baliza.schema_version").get_int64(0, 0), conn);
  });
}

}  // namespace baliza::coord
