// The Workflows view of `baliza ui`: workflow runs (`baliza workflow run`, meta.workflow_runs)
// with their steps (meta.workflow_steps: status, time, rows, warnings, what each did), and
// period-by-period runs (`baliza build --periods`, meta.period_runs). A database where none
// ran yet has no such tables: the answer says so with nulls.
#include "ui/ui_api.h"

namespace baliza::ui {

using nlohmann::json;

json UiApi::workflows(const std::string& run_id) {
  json out;
  out["runs"] = db_.has_relation("meta", "workflow_runs")
                    ? rows(
                          "SELECT run_id, workflow, status, quick, started_at, finished_at, "
                          "seconds, steps, warnings, message, command_line, project FROM "
                          "meta.workflow_runs ORDER BY started_at DESC LIMIT 200")
                    : json(nullptr);
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
