// The Workflows view of `baliza ui`: workflow runs (`baliza workflow run`, meta.workflow_runs)
// with their steps (meta.workflow_steps: status, time, rows, warnings, what each did), and
// period-by-period runs (`baliza build --periods`, meta.period_runs). A database where none
// ran yet has no such tables: the answer says so with nulls. A run whose process was killed is
// shown `interrupted` (its row still says `running` until a writer opens the database).
#include <algorithm>
#include <cstdlib>

#include "ops/workflow_store.h"
#include "ui/ui_api.h"

namespace baliza::ui {

using nlohmann::json;

namespace {

// A stored `running` whose process is gone (killed) or no longer holds the database is shown
// `interrupted`, with why, as `baliza workflow status` shows it (ops::effective_run_status).
void show_effective_status(json& runs, const std::string& holder_source) {
  const json& cols = runs["columns"];
  auto at = [&](const char* name) {
    return static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  const std::size_t status = at("status"), pid = at("pid"), message = at("message");
  if (pid >= cols.size()) return;
  for (json& row : runs["rows"]) {
    if (!row[status].is_string() || row[status] != "running") continue;
    std::int64_t process =
        row[pid].is_string() ? std::atoll(row[pid].get<std::string>().c_str()) : 0;
    std::string why;
    row[status] = ops::effective_run_status(holder_source, "running", process, &why);
    if (!why.empty()) row[message] = why;
  }
}

}  // namespace

json UiApi::workflows(const std::string& run_id) {
  json out;
  if (db_.has_relation("meta", "workflow_runs")) {
    const bool has_pid =
        db_.query(
               "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'meta' AND "
               "table_name = 'workflow_runs' AND column_name = 'pid'")
            .text(0, 0) == "1";
    out["runs"] = rows(std::string("SELECT run_id, workflow, status, quick, started_at, ") +
                       "finished_at, seconds, steps, warnings, message, command_line, project" +
                       (has_pid ? ", pid" : "") +
                       " FROM meta.workflow_runs ORDER BY started_at DESC LIMIT 200");
    show_effective_status(out["runs"], db_.source());
  } else {
    out["runs"] = json(nullptr);
  }
  if (!run_id.empty() && db_.has_relation("meta", "workflow_steps")) {
    out["run"] = run_id;
    out["steps"] = rows(
        "SELECT position, step, kind, status, seconds, rows, warnings, message, "
        "CAST(detail AS VARCHAR) AS detail, started_at, finished_at FROM meta.workflow_steps "
        "WHERE run_id = $1 ORDER BY position",
        {run_id});
  }
  out["periods"] = db_.has_relation("meta", "period_runs")
                       ? rows(
                             "SELECT * FROM meta.period_runs ORDER BY started_at DESC, "
                             "position LIMIT 500")
                       : json(nullptr);
  return out;
}

}  // namespace baliza::ui
