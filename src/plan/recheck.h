// Re-checking recent days: days close to today keep receiving records, so a task that was done
// is not final while its window is recent.
//
// requeue_recent() puts the done tasks of `scope` whose window ends within `days` days of
// `today` back to 'pending' (a task event 'recheck' each). The next extraction claims them like
// resumed tasks: their stored pages are kept, page 1 is read again (the closing read,
// meta.completeness_checks) and, when the total moved, the task is paged again. A task with
// nothing stored (an empty day) is read again too. Returns how many tasks were re-queued.
// Runs in one transaction on the caller's (writer) connection. days = 0 re-queues nothing.
#pragma once

#include <cstdint>
#include <string>

#include "db/database.h"
#include "plan/plan_store.h"
#include "plan/window.h"

namespace baliza::plan {

std::int64_t requeue_recent(Connection& conn, const PlanScope& scope, Date today, int days,
                            const std::string& run_id);

}  // namespace baliza::plan
