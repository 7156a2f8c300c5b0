#include "ops/sql_rounds.h"

#include <algorithm>

#include "core/clock.h"
#include "plan/sql_planner.h"
#include "transform/project_build.h"

namespace baliza::ops {

void add_extract_result(extract::ExtractResult& into, const extract::ExtractResult& more) {
  for (const auto& [name, totals] : more.endpoints) into.endpoints[name].add(totals);
  into.interrupted = into.interrupted || more.interrupted;
  into.seconds += more.seconds;
  into.orphaned_claims += more.orphaned_claims;
  into.writer_failures += more.writer_failures;
  into.open_circuits.insert(into.open_circuits.end(), more.open_circuits.begin(),
                            more.open_circuits.end());
  auto& f = into.fetch;
  const auto& m = more.fetch;
  f.done += m.done;
  f.succeeded += m.succeeded;
  f.empty += m.empty;
  f.failed += m.failed;
  f.abandoned += m.abandoned;
  f.retries += m.retries;
  f.throttled += m.throttled;
  f.bytes += m.bytes;
  into.pacing.insert(into.pacing.end(), more.pacing.begin(), more.pacing.end());
  if (into.environment_error.empty()) into.environment_error = more.environment_error;
}

SqlRoundsResult run_sql_rounds(const PipelineOptions& o, const plan::EndpointsConfig& config,
                               const extract::ExtractOptions& extract_options,
                               extract::ExtractResult& extracted) {
  SqlRoundsResult result;
  Connection& db = *o.main;
  for (const std::string& name : plan::sql_planned_endpoints(config)) {
    if (!o.endpoints.empty() &&
        std::find(o.endpoints.begin(), o.endpoints.end(), name) == o.endpoints.end())
      continue;
    const plan::EndpointConfig& e = *config.find(name);
    if (!e.from_sql->after.empty()) {
      transform::ProjectBuildOptions build = pipeline_build_options(o);
      build.print = [](const std::string&) {};  // the final build reports
      for (const auto& model : e.from_sql->after) build.select.push_back("+" + model);
      transform::RunSummary summary = transform::build_project(*o.project, build);
      if (summary.exit_code() != 0) {
        o.say("== " + name + ": building what its query reads failed; not planned");
        result.build_failed = true;
        result.failed_build = std::move(summary);
        return result;
      }
    }
    const plan::SqlPlanResult planned =
        plan::plan_from_sql(db, config, plan::SqlPlanRequest{o.range, {name}}, false, random_id());
    const std::string text = plan::describe_sql_plan(planned);
    result.plans.push_back(text);
    o.say(text.substr(0, text.empty() ? 0 : text.size() - 1));
    if (planned.pending_task_ids.empty()) continue;
    o.say("== extract " + name);
    extract::ExtractOptions ex = extract_options;
    ex.scope.first_date = "0001-01-01";  // the tasks are named: their days do not matter
    ex.scope.last_date = "9999-12-31";
    ex.scope.endpoints = {name};
    ex.scope.task_ids = planned.pending_task_ids;
    extract::ExtractResult round = extract::run_extract(db, config, ex);
    add_extract_result(extracted, round);
    if (round.interrupted) break;
  }
  return result;
}

}  // namespace baliza::ops
