// The tasks of a period, as SQL: one condition over planning.task_plan aliased `t`, shared by
// what reads or re-queues a period's tasks (recovery-status, retry-failed, verify, the extract
// summary's progress, the recent-days re-check).
//
// A task is in the period when it is not removed and its window [data_date, window_end]
// (window_end NULL: a single day) intersects [range.first, range.last]; with `endpoints`, only
// tasks of those endpoints (empty: every endpoint). Values are quoted (db quote_literal), so any
// endpoint name is safe. Pure: no database access, any thread.
#pragma once

#include <string>
#include <vector>

#include "plan/window.h"

namespace baliza::plan {

// "t.removed_at IS NULL AND t.data_date <= DATE '...' AND coalesce(t.window_end, t.data_date)
// >= DATE '...' [AND t.endpoint_name IN ('a', 'b')]"
std::string task_scope_sql(const DateRange& range, const std::vector<std::string>& endpoints);

}  // namespace baliza::plan
