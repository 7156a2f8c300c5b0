// What an extraction did, for the notification at the end of `baliza extract`, `retry-failed`,
// `run` and `demo` (cli/run_notifier.h): the counts a user needs in Slack — pages stored
// against pages expected for the period, tasks done / failed / partial / pending, 429s and
// other throttles, retries, failed requests, records — and one error line per endpoint left
// incomplete, with what to run next.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "extract/extract_totals.h"
#include "plan/window.h"

namespace baliza::cli {

// Reads the period's progress from `conn` (ops/extract_progress.h); never throws: a progress
// that cannot be read is said as a warning of the run.
void note_extract_outcome(Context& ctx, Connection& conn, const extract::ExtractResult& result,
                          const plan::DateRange& range, const std::vector<std::string>& endpoints);

}  // namespace baliza::cli
