#include "ops/dry_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "plan/task_planner.h"
#include "plan/volume_windows.h"
#include "transform/sql_dependencies.h"

namespace baliza::ops {
namespace {

const char* kind_of(const transform::Node& node) {
  switch (node.resource_type) {
    case transform::ResourceType::kSeed:
      return "seed";
    case transform::ResourceType::kTest:
      return "test";
    case transform::ResourceType::kSource:
      return "source";
    default:
      break;
  }
  return nullptr;
}

}  // namespace

DryRun dry_run(const plan::EndpointsConfig& config, const plan::DateRange& range,
               const std::vector<std::string>& endpoints, Connection* history,
               const transform::Project& project, double requests_per_second,
               const transform::Budgets& budgets) {
  const plan::PlanRequest request{range, endpoints, plan::today_local()};
  const plan::VolumePlan p = history ? plan::plan_from_history(*history, config, request)
                                     : plan::plan_by_volume(config, request, {});
  DryRun out;
  out.requests = plan::summarize_requests(config, p, requests_per_second);
  for (const plan::SkippedWindow& s : p.plan.skipped) {
    out.skipped.push_back(s.endpoint_name + " " + plan::iso_date(s.window.first) + ": " + s.reason);
  }
  for (const transform::Node& node : project.nodes) {
    const char* kind = kind_of(node);
    std::string key = kind ? kind : node.config.materialized + " model";
    if (node.config.enabled) ++out.nodes[key];
  }
  if (history) {
    try {
      transform::Dag dag = transform::Dag::build(project);
      transform::add_plain_sql_dependencies(project, dag, *history);
      out.models = transform::estimate_models(project, dag, *history, budgets);
    } catch (const Error&) {
      out.models.clear();  // a project that does not build a DAG: `validate` says why
    }
  }
  return out;
}

std::string describe_dry_run(const DryRun& d) {
  std::string out = "would plan and fetch:\n" + plan::describe_requests(d.requests);
  if (!d.skipped.empty()) {
    out.append("left out by the planner: ")
        .append(std::to_string(d.skipped.size()))
        .append(" windows, e.g. ")
        .append(d.skipped.front())
        .append("\n");
  }
  out += "would build:";
  for (const auto& [kind, n] : d.nodes) {
    out.append(" ").append(std::to_string(n)).append(" ").append(kind).append(",");
  }
  out.back() = '\n';
  if (!d.models.empty()) {
    out += "models, estimated by DuckDB over the data as it is now:\n" +
           transform::describe_estimates(d.models);
  }
  out += "nothing was fetched or written.\n";
  return out;
}

}  // namespace baliza::ops
