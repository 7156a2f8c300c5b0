// Windows planned by expected volume: the fewest requests the API allows.
//
// An endpoint with `window: day` and `max_window: month` (endpoints.yaml) is not asked day by
// day. For each partition (fan-out value: one modalidade) the days of the period that no stored
// task covers are cut into windows of consecutive days inside one calendar month so that the
// requests they need are fewest, where a window of E expected records needs
//   ceil(E / page_size) pages (at least 1) + 1 closing read of page 1 when it is not empty
// (extract/task_state.h proves every task that way). A window of several days must be expected
// to fill at most defaults.window_target_pages pages; a day is asked alone whatever its volume.
// So a modalidade with a few records a month is asked once for the month, and a dense day keeps
// its own window (bounding what a data shift or a recheck pages again). Windows never exceed a
// month (the API refuses over 365 days; plan_tasks splits those for other endpoints).
//
// Expected records per day come from history (volume_history.h), per partition:
//   exact      the window's days are tiled by observed windows that lie inside it: the sum of
//              their totals is what the API said (unless the data moved since);
//   estimated  the partition's records per day over the windows observed within kHistoryDays
//              of the period (an observed window that covers a day counts for it first);
//   unknown    no observed window for the partition at all: the fallback is the safe plan of
//              before, one task per day (a sparse modalidade then costs ~30 requests that month;
//              the next month is planned from what this one observed).
// Completeness is untouched: every window is still a task proved by the extractor (totals
// read twice, short pages asked again); only how many days a task asks for changes.
//
// Stickiness (idempotent reruns): days of a partition already covered by a stored task (not
// removed) keep that task as it is, whatever history says now. A rerun plans exactly the stored
// tasks, and a period extracted by day is never asked again by month.
//
// Estimates are returned for every task of every endpoint (windowed or not), for `dry-run` and
// the plan summary of `run` (request_summary.h). Pure functions; no I/O except
// plan_from_history, which reads the database through `conn`.
#pragma once

#include <cstdint>
#include <vector>

#include "db/database.h"
#include "plan/endpoint_config.h"
#include "plan/task_planner.h"
#include "plan/volume_history.h"

namespace baliza::plan {

enum class EstimateBasis { kExact, kEstimated, kUnknown };

struct TaskEstimate {
  EstimateBasis basis = EstimateBasis::kUnknown;
  double records = 0;    // expected records of the window (0 when unknown)
  double requests = 1;   // requests a run makes for it: 0 when done (1 when done and rechecked)
  bool done = false;     // stored as done
  bool recheck = false;  // done, but its window ends within recheck_days of today
};

struct VolumePlan {
  Plan plan;
  std::vector<TaskEstimate> estimates;  // one per plan.tasks entry, same order
};

// True when `e` has volume-planned windows (max_window month over window day, with a date range).
bool volume_windowed(const EndpointConfig& e);

// Requests a window of `records` expected records needs at `page_size` (see above); `exact`:
// records is a count, else an expectation (the closing read weighed by the chance of data).
double window_requests(double records, int page_size, bool exact);

VolumePlan plan_by_volume(const EndpointsConfig& config, const PlanRequest& request,
                          const VolumeHistory& history);

// read_volume_history + plan_by_volume.
VolumePlan plan_from_history(Connection& conn, const EndpointsConfig& config,
                             const PlanRequest& request);

// The probe that replaces the no-history fallback (ops/volume_probe.h): for each partition of
// a volume-windowed endpoint without any observed window, one task per run of its open days
// inside one calendar month (the widest window the planner allows), runs of one day left out
// (a day is its own window anyway). Page 1 of such a task reads the run's totalRegistros; added
// to `history` as an observed window, it lets plan_by_volume cut that run by volume instead of
// day by day. The tasks are not planned (their ids are what plan_window_tasks makes).
std::vector<Task> probe_tasks(const EndpointsConfig& config, const PlanRequest& request,
                              const VolumeHistory& history);

}  // namespace baliza::plan
