// How far the extraction of a period is, in pages and tasks, for the summary a user reads in
// a notification (cli/extract_outcome.h): pages stored against the pages the API announced
// (totalPaginas of each task's first page), and the tasks by status. A task whose first page
// was never stored has no known page count: it is counted in `tasks_not_started`, and
// pages_expected is then a lower bound (`pages_known` false).
//
// Reads planning.task_plan and runtime.task_results through one connection; no writes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"
#include "plan/window.h"

namespace baliza::ops {

struct PageProgress {
  std::int64_t pages_done = 0;      // pages stored as the current results of the tasks
  std::int64_t pages_expected = 0;  // what their first pages announced (at least pages_done)
  std::int64_t tasks_planned = 0, tasks_done = 0, tasks_failed = 0, tasks_partial = 0;
  std::int64_t tasks_pending = 0;      // pending or claimed
  std::int64_t tasks_not_started = 0;  // no page stored yet: pages unknown
  bool pages_known() const { return tasks_not_started == 0; }
};

// The tasks of `range` (and `endpoints`, all when empty) not removed from the plan.
PageProgress page_progress(Connection& conn, const plan::DateRange& range,
                           const std::vector<std::string>& endpoints);

}  // namespace baliza::ops
