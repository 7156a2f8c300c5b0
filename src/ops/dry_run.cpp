#include "ops/dry_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "plan/sql_requests.h"
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
  const plan::VolumeHistory known =
      history ? plan::read_volume_history(*history, config, range) : plan::VolumeHistory{};
  const plan::VolumePlan p = plan::plan_by_volume(config, request, known);
  DryRun out;
  out.probes = static_cast<std::int64_t>(plan::probe_tasks(config, request, known).size());
  out.requests = plan::summarize_requests(config, p, requests_per_second);
  plan::add_sql_endpoint_requests(out.requests, history, config, range, endpoints);
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
  if (d.probes > 0) {
    out += "windows without history: " + std::to_string(d.probes) +
           " (endpoint x modalidade x month); planned day by day above. `baliza run` first "
           "reads page 1 of each once (" +
           std::to_string(d.probes) +
           " requests) and cuts them by the totals it reads (ops/volume_probe.h)\n";
  }
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
