// Period-by-period runs (`baliza build --periods 2025..2029 --step year`): the periods of a
// range, the project vars each run gets, and what earlier runs completed (meta.period_runs,
// db/workflow_tables.h) so that a rerun resumes at the first period not completed.
//
// A range is FIRST..LAST (or a single value), each end a year (2025), a month (2025-03) or a
// day (2025-03-15); the periods are the whole calendar years, months or days (`step`, by
// default the precision of FIRST) from the start of FIRST to the end of LAST. Malformed ranges
// are usage errors showing the accepted forms.
//
// Vars of a period (documented in the README): period ("2025", "2025-03", "2025-03-15"),
// period_start and period_end (ISO dates, inclusive), period_year, period_month (numbers),
// period_index (0-based) and period_count; also periodo_inicio / periodo_fim, the names the
// PNCP project's incremental models read.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "plan/window.h"

namespace baliza::ops {

struct Period {
  std::string label;
  plan::DateRange range;
  int index = 0;
};

std::vector<Period> parse_periods(const std::string& spec, const std::string& step);

nlohmann::json period_vars(const Period& period, std::size_t count);

// A stable name for "this selection of this project, period by period": what a rerun resumes.
std::string period_series(const std::string& project, const std::string& command,
                          const std::vector<std::string>& select,
                          const std::vector<std::string>& exclude, const std::string& step);

// Labels of the periods of `series` whose last run succeeded (meta.period_runs must exist).
std::set<std::string> completed_periods(Connection& conn, const std::string& series);

// How many of `periods`, from the first, are completed: where a rerun resumes.
std::size_t completed_prefix(const std::vector<Period>& periods, const std::set<std::string>& done);

void record_period(Connection& conn, const std::string& series, const std::string& run_id,
                   const Period& period, const std::string& status, const std::string& started_at,
                   const std::string& finished_at, double seconds, const std::string& command_line);

}  // namespace baliza::ops
