#include "ops/dry_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "plan/task_planner.h"
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

// "45 s", "12 min 30 s", "3 h 05 min"
std::string duration_text(double seconds) {
  char buf[64];
  long s = static_cast<long>(std::ceil(seconds));
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%ld s", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

}  // namespace

std::int64_t DryRunEndpoint::estimated_pages() const {
  return static_cast<std::int64_t>(std::ceil((tasks - done) * pages_per_task));
}

DryRun dry_run(const plan::EndpointsConfig& config, const plan::DateRange& range,
               const std::vector<std::string>& endpoints, Connection* history,
               const transform::Project& project, double requests_per_second,
               const transform::Budgets& budgets) {
  plan::Plan p = plan::plan_tasks(config, plan::PlanRequest{range, endpoints, plan::today_local()});
  std::map<std::string, DryRunEndpoint> by_endpoint;
  for (const plan::Task& t : p.tasks) {
    DryRunEndpoint& e = by_endpoint[t.endpoint_name];
    e.endpoint = t.endpoint_name;
    ++e.tasks;
    if (e.host.empty()) {
      if (const plan::EndpointConfig* c = config.find(t.endpoint_name)) {
        std::size_t scheme = c->base_url.find("://");
        std::size_t path = c->base_url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
        e.host = c->base_url.substr(0, path);
        e.requests_per_second = requests_per_second > 0
                                    ? requests_per_second
                                    : config.defaults.rate_limit.requests_per_second;
      }
    }
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
  // Extraction time at the configured pace: each host's pages at its rate, hosts in parallel.
  std::map<std::string, std::pair<std::int64_t, double>> hosts;  // host -> (pages, rate)
  for (const auto& e : d.endpoints) {
    auto& h = hosts[e.host];
    h.first += e.estimated_pages();
    h.second = e.requests_per_second;
  }
  double longest = 0;
  for (const auto& [host, h] : hosts) {
    if (h.second <= 0) continue;
    double seconds = static_cast<double>(h.first) / h.second;
    longest = std::max(longest, seconds);
    std::snprintf(line, sizeof line, "extraction from %s: %lld pages at %.2f requests/s = %s\n",
                  host.c_str(), static_cast<long long>(h.first), h.second,
                  duration_text(seconds).c_str());
    out += line;
  }
  if (hosts.size() > 1)
    out += "extraction in all (hosts in parallel): " + duration_text(longest) + "\n";
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
