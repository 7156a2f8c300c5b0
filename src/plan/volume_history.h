// What earlier extractions observed, for planning windows by volume (volume_windows.h).
//
// read_volume_history() reads, from the database, for the selected endpoints:
//   - observed windows: every task with a current result (runtime.task_results), whatever
//     its status or whether it is still in the plan, within kHistoryDays of the period, with the
//     records its envelope reported (totalRegistros; 0 for an empty answer). This is what
//     the API said that window holds;
//   - stored tasks: the tasks of the plan (not removed) whose window meets the period, with
//     their status: the volume planner keeps them as they are (a rerun plans the same tasks).
// A "partition" is what an endpoint's tasks ask for apart from their dates: the task's params
// with the date values blanked (for the PNCP, one modalidade of a contratacoes endpoint).
//
// Errors: DuckDB errors propagate (baliza::Error). Reads only; any connection will do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "plan/endpoint_config.h"
#include "plan/task_planner.h"
#include "plan/window.h"

namespace baliza::plan {

// How far around the period observed windows are read (records per day of a partition are
// estimated from them).
constexpr int kHistoryDays = 120;

struct ObservedWindow {
  std::string endpoint;
  std::string partition;
  DateRange window;
  std::int64_t records = 0;
};

struct StoredTask {
  Task task;
  std::string partition;
  std::string status;  // pending, claimed, done, failed, partial
};

struct VolumeHistory {
  std::vector<ObservedWindow> observed;
  std::vector<StoredTask> stored;
};

// `params` of a task of `e` over `window` with its date values blanked (see above).
std::string partition_key(const EndpointConfig& e, const std::string& params,
                          const DateRange& window);

VolumeHistory read_volume_history(Connection& conn, const EndpointsConfig& config,
                                  const DateRange& range);

}  // namespace baliza::plan
