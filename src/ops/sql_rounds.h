// The SQL-planned endpoints of a pipeline run (plan/sql_planner.h: a purchase's items, an
// item's results), after the date-planned extraction: for each one, in endpoints.yaml order,
//   1. build the models its query reads (from_sql.after, with their ancestors; incremental
//      staging parses only the pages stored since);
//   2. plan it from SQL for the run's period (new parents and changed versions only);
//   3. extract the tasks left pending, with the run's extraction options.
// An endpoint later in the order sees what the earlier ones staged (results after items).
// Every round's extraction is added to the report's totals; a round whose build fails stops
// the rounds (the report's transform summary carries the error). With a coordinator the
// rounds still extract on this machine (the coordinator gets date-planned tasks only).
#pragma once

#include <string>
#include <vector>

#include "extract/extractor.h"
#include "ops/pipeline.h"
#include "plan/endpoint_config.h"

namespace baliza::ops {

struct SqlRoundsResult {
  std::vector<std::string> plans;  // describe_sql_plan() of each round
  transform::RunSummary failed_build;
  bool build_failed = false;
};

// Runs the rounds of the SQL-planned endpoints among `endpoints` (empty = all of them).
SqlRoundsResult run_sql_rounds(const PipelineOptions& o, const plan::EndpointsConfig& config,
                               const extract::ExtractOptions& extract_options,
                               extract::ExtractResult& extracted);

// Adds one extraction's totals to another's (a pipeline's rounds).
void add_extract_result(extract::ExtractResult& into, const extract::ExtractResult& more);

}  // namespace baliza::ops
