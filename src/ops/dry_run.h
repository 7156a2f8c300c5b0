// `baliza dry-run`: what a run of a period would do, without fetching or writing anything:
// the tasks it would plan per endpoint (and how many are already done), an estimate of the
// pages it would fetch, and the nodes of the project it would build.
//
// Page estimate per task: the average pages per completed task of the same endpoint in
// runtime.task_results when there is history, else 1 (every task fetches at least page 1).
// Extraction time: the estimated pages of each host at its configured request rate
// (endpoints.yaml rate_limit.requests_per_second, or --rate), hosts in parallel.
// Models: with a database, DuckDB's estimated rows and cost per model (transform/estimate.h)
// over the data as it is now, against baliza.yml budgets.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "db/database.h"
#include "plan/endpoint_config.h"
#include "plan/window.h"
#include "transform/estimate.h"
#include "transform/project.h"

namespace baliza::ops {

struct DryRunEndpoint {
  std::string endpoint;
  std::int64_t tasks = 0;     // planned for the period
  std::int64_t done = 0;      // of which already completed (would not be fetched again)
  double pages_per_task = 1;  // from history, else 1
  bool from_history = false;
  std::string host;                // scheme://host[:port] of the endpoint's base_url
  double requests_per_second = 0;  // the configured pace for that host
  std::int64_t estimated_pages() const;
};

struct DryRun {
  std::vector<DryRunEndpoint> endpoints;
  std::vector<std::string> skipped;              // windows the planner leaves out, with why
  std::map<std::string, std::int64_t> nodes;     // "table model", "seed", "test", ... -> count
  std::vector<transform::ModelEstimate> models;  // empty without a database
};

// history may be null (no database yet): then nothing counts as done and estimates are 1.
// requests_per_second > 0 replaces the configured pace (as `run --rate` does).
DryRun dry_run(const plan::EndpointsConfig& config, const plan::DateRange& range,
               const std::vector<std::string>& endpoints, Connection* history,
               const transform::Project& project, double requests_per_second = 0,
               const transform::Budgets& budgets = {});

std::string describe_dry_run(const DryRun& d);

}  // namespace baliza::ops
