#include "ops/dry_run.h"

#include <cmath>
#include <cstdio>

#include "plan/task_planner.h"

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

// Completed task ids and average pages per done task, per endpoint, from the database.
void read_history(Connection& conn, std::map<std::string, DryRunEndpoint>& by_endpoint,
                  const std::vector<plan::Task>& tasks) {
  auto pages = conn.query(
      "SELECT t.endpoint_name, avg(n) FROM (SELECT task_id, count(*) AS n FROM "
      "runtime.task_results GROUP BY task_id) r JOIN planning.task_plan t USING (task_id) "
      "WHERE t.status = 'done' GROUP BY 1");
  for (size_t i = 0; i < pages.row_count(); ++i) {
    auto it = by_endpoint.find(pages.get_string(0, i));
    if (it == by_endpoint.end()) continue;
    it->second.pages_per_task = pages.get_double(1, i);
    it->second.from_history = true;
  }
  auto done = conn.prepare("SELECT status = 'done' FROM planning.task_plan WHERE task_id = $1");
  for (const plan::Task& t : tasks) {
    Result r = done.bind(1, t.task_id).execute();
    if (r.row_count() == 1 && r.get_bool(0, 0)) ++by_endpoint[t.endpoint_name].done;
  }
}

}  // namespace

std::int64_t DryRunEndpoint::estimated_pages() const {
  return static_cast<std::int64_t>(std::ceil((tasks - done) * pages_per_task));
}

DryRun dry_run(const plan::EndpointsConfig& config, const plan::DateRange& range,
               const std::vector<std::string>& endpoints, Connection* history,
               const transform::Project& project) {
  plan::Plan p = plan::plan_tasks(config, plan::PlanRequest{range, endpoints, plan::today_local()});
  std::map<std::string, DryRunEndpoint> by_endpoint;
  for (const plan::Task& t : p.tasks) {
    DryRunEndpoint& e = by_endpoint[t.endpoint_name];
    e.endpoint = t.endpoint_name;
    ++e.tasks;
  }
  if (history) read_history(*history, by_endpoint, p.tasks);
  DryRun out;
  for (auto& [name, e] : by_endpoint) out.endpoints.push_back(e);
  for (const plan::SkippedWindow& s : p.skipped) {
    out.skipped.push_back(s.endpoint_name + " " + plan::iso_date(s.window.first) + ": " + s.reason);
  }
  for (const transform::Node& node : project.nodes) {
    const char* kind = kind_of(node);
    std::string key = kind ? kind : node.config.materialized + " model";
    if (node.config.enabled) ++out.nodes[key];
  }
  return out;
}

std::string describe_dry_run(const DryRun& d) {
  std::string out = "would plan and fetch:\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-32s %8s %8s %12s  %s\n", "endpoint", "tasks", "done",
                "est. pages", "estimate from");
  out += line;
  std::int64_t tasks = 0, pages = 0;
  for (const auto& e : d.endpoints) {
    std::snprintf(line, sizeof line, "  %-32s %8lld %8lld %12lld  %s\n", e.endpoint.c_str(),
                  static_cast<long long>(e.tasks), static_cast<long long>(e.done),
                  static_cast<long long>(e.estimated_pages()),
                  e.from_history ? "history" : "1 page per task (no history)");
    out += line;
    tasks += e.tasks;
    pages += e.estimated_pages();
  }
  std::snprintf(line, sizeof line, "  %-32s %8lld %8s %12lld\n", "total",
                static_cast<long long>(tasks), "", static_cast<long long>(pages));
  out += line;
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
  out += "nothing was fetched or written.\n";
  return out;
}

}  // namespace baliza::ops
