// The tables that keep workflow and period runs (the UI and `baliza workflow status` read
// them): meta.workflow_runs (one row per run of a workflow), meta.workflow_steps (one row per
// step of a run, skipped ones included) and meta.period_runs (one row per period of
// `baliza build --periods`). The DDL is idempotent; migration 7 runs it (migration 8 adds the
// columns that came later), and databases that get no Baliza migrations (a dbt project's own
// file) get just these tables on first use.
//
// A workflow run is `running` only while the process in its `pid` column holds the database
// file: a process that opens the file to write (so no run can be in progress anywhere) turns
// the `running` rows a killed process left into `interrupted` (mark_stale_workflow_runs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"

namespace baliza {

// CREATE SCHEMA/TABLE IF NOT EXISTS statements.
const char* workflow_tables_sql();

// The columns added after the first release of these tables (ALTER ... IF NOT EXISTS).
const char* workflow_tables_upgrade_sql();

// Runs workflow_tables_sql() and the upgrade on conn (cheap when they exist).
void ensure_workflow_tables(Connection& conn);

// A run left `running` by a process that ended without finishing it (SIGKILL, a crash, power).
struct StaleWorkflowRun {
  std::string run_id, workflow, started_at;
  std::int64_t pid = 0;  // 0 when the row predates the pid column
};

// Marks every `running` run interrupted, with a message naming its process. Call only while
// this process holds the file to write and runs no workflow itself (then none can be in
// progress). Returns the runs it marked; nothing when the table does not exist.
std::vector<StaleWorkflowRun> mark_stale_workflow_runs(Connection& conn);

}  // namespace baliza
