#include "db/workflow_tables.h"

namespace baliza {

const char* workflow_tables_sql() {
  return R"SQL(
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.workflow_runs (
  run_id VARCHAR PRIMARY KEY,
  workflow VARCHAR NOT NULL,
  project VARCHAR NOT NULL,
  command_line VARCHAR,
  quick BOOLEAN NOT NULL,
  status VARCHAR NOT NULL,        -- running, ok, warn, error (a step failed), interrupted
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  seconds DOUBLE,
  steps INTEGER,
  warnings INTEGER,
  message VARCHAR
);
CREATE TABLE IF NOT EXISTS meta.workflow_steps (
  run_id VARCHAR NOT NULL,
  workflow VARCHAR NOT NULL,
  position INTEGER NOT NULL,      -- 1-based order in the workflow
  step VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,          -- clear, seed, build, validate, run
  status VARCHAR NOT NULL,        -- ok, warn, error, skipped
  started_at TIMESTAMP,
  finished_at TIMESTAMP,
  seconds DOUBLE,
  rows BIGINT,
  warnings INTEGER,
  message VARCHAR,
  detail JSON                     -- what the step did: relations, seeds, nodes, checks
);
CREATE TABLE IF NOT EXISTS meta.period_runs (
  series VARCHAR NOT NULL,        -- project + selection + step: what a rerun resumes
  run_id VARCHAR NOT NULL,
  position INTEGER NOT NULL,      -- 1-based order of the period in its run
  period VARCHAR NOT NULL,        -- 2025, 2025-03, 2025-03-15
  period_start DATE NOT NULL,
  period_end DATE NOT NULL,
  status VARCHAR NOT NULL,        -- ok, error
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  seconds DOUBLE,
  command_line VARCHAR
);
)SQL";
}

void ensure_workflow_tables(Connection& conn) {
  conn.execute(workflow_tables_sql());
}

}  // namespace baliza
