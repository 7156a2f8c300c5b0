// Plan persistence: writes a Plan into planning.task_plan and keeps what was there before.
//
// apply_plan() compares the fresh plan with the stored tasks of the same scope (the period's
// windows x the selected endpoints, or every endpoint when none is selected) and, in one
// transaction:
//   - inserts new tasks as 'pending' (an event 'planned');
//   - keeps tasks present in both as they are (status, attempts, results: history survives);
//   - marks stored tasks that are no longer planned (config changed, endpoint disabled or
//     gone) as out of the plan: removed_at is set, and unless the task was already done its
//     status becomes 'removed' so it is never claimed again. Rows are never deleted: a done
//     task keeps status 'done' and its data; the event 'removed' records the change;
//   - restores tasks that were removed and are planned again (back to 'pending' unless done);
//   - records the config in planning.task_plan_meta (fingerprint, normalized text, counts)
//     and the operation in planning.plan_runs.
// Replanning the same period with the same config changes nothing but adds a plan_runs row.
// With dry_run the same work runs inside a transaction that is rolled back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "db/database.h"
#include "plan/endpoint_config.h"
#include "plan/task_planner.h"

namespace baliza::plan {

// The built-in projects/pncp/endpoints.yaml, overridden by <project_dir>/endpoints.yaml when
// that file exists. Throws usage_error (with file:line) on a bad config.
EndpointsConfig load_project_endpoints(const std::filesystem::path& project_dir);

struct PlanScope {
  DateRange range;
  std::vector<std::string> endpoints;  // empty = every endpoint, including unknown ones
  // Never in the scope: apply_plan() adds the endpoints planned from SQL (their tasks are
  // not the date planner's to remove: plan/sql_planner.h).
  std::vector<std::string> exclude;
};

struct EndpointPlanCounts {
  std::string endpoint;
  std::int64_t added = 0, removed = 0, restored = 0, unchanged = 0;
  // Tasks of the scope after the change, by status (removed ones excluded).
  std::int64_t pending = 0, claimed = 0, done = 0, failed = 0, partial = 0;
  std::int64_t planned() const { return pending + claimed + done + failed + partial; }
};

struct TaskChange {
  std::string change;  // "added" | "removed" | "restored"
  std::string task_id, endpoint, data_date, params;
};

struct PlanApplyResult {
  std::string fingerprint;
  std::string previous_fingerprint;  // of the last plan run; empty for the first one
  bool dry_run = false;
  std::int64_t added = 0, removed = 0, restored = 0, unchanged = 0;
  std::vector<EndpointPlanCounts> endpoints;  // sorted by name
  std::vector<TaskChange> changes;            // the first kMaxListedChanges changes
  std::vector<SkippedWindow> skipped;
  bool config_changed() const {
    return !previous_fingerprint.empty() && previous_fingerprint != fingerprint;
  }
};

constexpr std::size_t kMaxListedChanges = 20;

PlanApplyResult apply_plan(Connection& conn, const EndpointsConfig& config, const Plan& plan,
                           const PlanScope& scope, bool dry_run, const std::string& run_id);

// Human-readable report of a plan operation: config change, per-endpoint table, changes.
std::string describe_plan_result(const PlanApplyResult& result);

}  // namespace baliza::plan
