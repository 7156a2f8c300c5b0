// `baliza dry-run`: what a run of a period would do, without fetching or writing anything:
// per endpoint, the tasks it would plan (windows by volume, plan/volume_windows.h), how many are
// done, the requests it needs and the time they take at the configured pace
// (plan/request_summary.h: exact where history observed the windows, estimated from records
// per day otherwise, ">= 1 per task" with no history), and the nodes of the project it would
// build. Models: with a database, DuckDB's estimated rows and cost per model
// (transform/estimate.h) over the data as it is now, against baliza.yml budgets.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "db/database.h"
#include "plan/endpoint_config.h"
#include "plan/request_summary.h"
#include "plan/window.h"
#include "transform/estimate.h"
#include "transform/project.h"

namespace baliza::ops {

struct DryRun {
  plan::RequestSummary requests;
  std::vector<std::string> skipped;  // windows the planner leaves out, with why
  std::int64_t probes = 0;           // windows `run` would probe first (ops/volume_probe.h)
  std::map<std::string, std::int64_t> nodes;     // "table model", "seed", "test", ... -> count
  std::vector<transform::ModelEstimate> models;  // empty without a database
};

// history may be null (no database yet): then nothing counts as done and nothing is known.
// requests_per_second > 0 replaces the configured pace (as `run --rate` does).
DryRun dry_run(const plan::EndpointsConfig& config, const plan::DateRange& range,
               const std::vector<std::string>& endpoints, Connection* history,
               const transform::Project& project, double requests_per_second = 0,
               const transform::Budgets& budgets = {});

std::string describe_dry_run(const DryRun& d);

}  // namespace baliza::ops
