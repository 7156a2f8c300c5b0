// Expands an endpoints config and a date range into the tasks to extract, and compares plans.
//
// A task is one (endpoint, calendar window, fan-out value) query; its pages are not tasks (the
// extractor learns totalPaginas from page 1). Tasks come out in a deterministic order: endpoint
// declaration order, then window, then fan-out value.
//
// task_id = the first 32 hex chars (128 bits) of
//   sha256(endpoint_name "\n" window_start "\n" window_end "\n" params)
// with ISO dates and params in canonical form. It does not include the plan fingerprint, so a
// task keeps its id when unrelated config (another endpoint, retry policy, page size) changes,
// and a change that alters what a task asks for (its params) gives it a new id.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/endpoint_config.h"
#include "plan/window.h"

namespace baliza::plan {

struct Task {
  std::string task_id;        // 32 lowercase hex chars, see above
  std::string endpoint_name;  // EndpointConfig::name
  Date data_date;             // first day of the window
  Date window_end;            // last day of the window (inclusive)
  // The fan-out value when it is an integer (PNCP: codigoModalidadeContratacao).
  std::optional<int> modalidade;
  // Canonical JSON object of the query parameters except paging: keys sorted, no spaces,
  // dates as strings in the endpoint's format, integer values as numbers. E.g.
  // {"codigoModalidadeContratacao":6,"dataFinal":"20240115","dataInicial":"20240115"}
  std::string params;
  std::string plan_fingerprint;  // config_fingerprint() of the config that planned it
};

// A window the planner did not turn into tasks, and why (reported, never silent).
struct SkippedWindow {
  std::string endpoint_name;
  DateRange window;
  std::string reason;
};

struct PlanRequest {
  DateRange range;
  // Endpoint names to plan; empty means every enabled endpoint. Naming an unknown or a
  // disabled endpoint is a usage error (the message lists the choices or the reason).
  // Endpoints planned from SQL (from_sql) are never planned by date (plan/sql_planner.h).
  std::vector<std::string> endpoints;
  Date today;  // decides the future/past rules below; passed in so plans are reproducible
};

struct Plan {
  std::string fingerprint;  // config_fingerprint(config)
  std::vector<Task> tasks;
  std::vector<SkippedWindow> skipped;
};

// Rules: windows that start after `today` are skipped (no data yet), except for endpoints with
// data_final_min: today, which instead skip windows whose end is before today (the API
// rejects them with 422).
Plan plan_tasks(const EndpointsConfig& config, const PlanRequest& request);

// The tasks of one window of one endpoint (one per fan-out value, in order), as plan_tasks
// makes them; no skip rules. For planners that choose windows themselves (volume_windows.h).
std::vector<Task> plan_window_tasks(const EndpointConfig& endpoint, const DateRange& window,
                                    const std::string& fingerprint);

// task_id of one (endpoint, window, params) triple, as described above.
std::string make_task_id(std::string_view endpoint_name, const DateRange& window,
                         std::string_view params);

struct PlanDiff {
  std::vector<std::string> added;      // in new_tasks order
  std::vector<std::string> removed;    // in old_task_ids order
  std::vector<std::string> unchanged;  // in new_tasks order
};

// Compares the ids of a stored plan with a fresh one.
PlanDiff plan_diff(const std::vector<std::string>& old_task_ids,
                   const std::vector<Task>& new_tasks);

}  // namespace baliza::plan
