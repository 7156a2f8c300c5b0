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
  message VARCHAR,
  pid BIGINT                      -- the process running it (stale `running` rows: see .h)
);
CREATE TABLE IF NOT EXISTS meta.workflow_steps (
  run_id VARCHAR NOT NULL,
  workflow VARCHAR NOT NULL,
  position INTEGER NOT NULL,      -- 1-based order in the workflow
  step VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,          -- clear, seed, build, validate, run
  status VARCHAR NOT NULL,        -- ok, warn, error, interrupted, skipped
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
  status VARCHAR NOT NULL,        -- ok, error, interrupted (Ctrl-C / SIGTERM)
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  seconds DOUBLE,
  command_line VARCHAR
);
)SQL";
}

const char* workflow_tables_upgrade_sql() {
  return "ALTER TABLE meta.workflow_runs ADD COLUMN IF NOT EXISTS pid BIGINT;";
}

void ensure_workflow_tables(Connection& conn) {
  conn.execute(workflow_tables_sql());
  conn.execute(workflow_tables_upgrade_sql());
}

std::vector<StaleWorkflowRun> mark_stale_workflow_runs(Connection& conn) {
  std::vector<StaleWorkflowRun> out;
  auto exists = conn.scalar(
      "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() AND "
      "schema_name = 'meta' AND table_name = 'workflow_runs' AND column_name = 'pid'");
  if (!exists || *exists == "0") return out;
  Result r = conn.query(
      "SELECT run_id, workflow, started_at::VARCHAR, coalesce(pid, 0) FROM meta.workflow_runs "
      "WHERE status = 'running' ORDER BY started_at");
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    out.push_back({r.get_string(0, i), r.get_string(1, i), r.get_string(2, i), r.get_int64(3, i)});
  }
  for (const StaleWorkflowRun& run : out) {
    std::string who =
        run.pid > 0 ? "process " + std::to_string(run.pid) : std::string("its process");
    conn.prepare(
            "UPDATE meta.workflow_runs SET status = 'interrupted', message = $2, finished_at = "
            "coalesce((SELECT max(finished_at) FROM meta.workflow_steps s WHERE s.run_id = $1), "
            "started_at) WHERE run_id = $1 AND status = 'running'")
        .bind(1, run.run_id)
        .bind(2, who +
                     " ended before the run finished (killed or crashed); the steps it "
                     "completed are kept")
        .execute();
  }
  return out;
}

}  // namespace baliza
