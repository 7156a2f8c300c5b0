// Per-endpoint progress of a run (pages done / expected) from the extractor's task state, for
// the progress bars (progress.h). Pure: the caller holds the lock that guards its inputs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "extract/extract_totals.h"
#include "extract/progress.h"
#include "extract/task_state.h"

namespace baliza::extract {

// `planned`: tasks of each endpoint this run was started to do (pending when it began);
// `totals`: what finished so far; `active`: the claimed tasks, by id. Endpoints with no task
// in this run are left out; the order is the endpoint name's.
std::vector<EndpointProgress> estimate_endpoint_progress(
    const std::map<std::string, std::int64_t>& planned,
    const std::map<std::string, EndpointTotals>& totals,
    const std::unordered_map<std::string, TaskState>& active);

}  // namespace baliza::extract
