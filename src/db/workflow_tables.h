// The tables that keep workflow and period runs (the UI and `baliza workflow status` read
// them): meta.workflow_runs (one row per run of a workflow), meta.workflow_steps (one row per
// step of a run, skipped ones included) and meta.period_runs (one row per period of
// `baliza build --periods`). The DDL is idempotent; migration 7 runs it, and databases that
// get no Baliza migrations (a dbt project's own file) get just these tables on first use.
#pragma once

#include "db/database.h"

namespace baliza {

// CREATE SCHEMA/TABLE IF NOT EXISTS statements.
const char* workflow_tables_sql();

// Runs workflow_tables_sql() on conn (cheap when they exist).
void ensure_workflow_tables(Connection& conn);

}  // namespace baliza
