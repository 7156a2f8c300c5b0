#include "plan/request_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace baliza::plan {
namespace {

// "0.42 h" / "12 min" / "35 s"
std::string hours_text(double seconds) {
  char buf[32];
  if (seconds >= 3600) {
    std::snprintf(buf, sizeof buf, "%.2f h", seconds / 3600);
  } else if (seconds >= 60) {
    std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  }
  return buf;
}

long long rounded(double v) {
  return static_cast<long long>(std::llround(v));
}

}  // namespace

std::string request_host(const std::string& base_url) {
  const std::size_t scheme = base_url.find("://");
  const std::size_t path = base_url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return base_url.substr(0, path);
}

double RequestSummary::requests() const {
  double sum = 0;
  for (const auto& e : endpoints) sum += e.requests();
  return sum;
}

double RequestSummary::seconds() const {
  if (requests_per_second <= 0) return 0;
  std::map<std::string, double> hosts;
  for (const auto& e : endpoints) hosts[e.host] += e.requests();
  double longest = 0;
  for (const auto& [host, n] : hosts) longest = std::max(longest, n / requests_per_second);
  return longest;
}

RequestSummary summarize_requests(const EndpointsConfig& config, const VolumePlan& plan,
                                  double requests_per_second) {
  RequestSummary s;
  s.requests_per_second = requests_per_second > 0 ? requests_per_second
                                                  : config.defaults.rate_limit.requests_per_second;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < plan.plan.tasks.size(); ++i) {
    const Task& t = plan.plan.tasks[i];
    const TaskEstimate& est = plan.estimates.at(i);
    auto [it, added] = index.emplace(t.endpoint_name, s.endpoints.size());
    if (added) {
      EndpointRequests e;
      e.endpoint = t.endpoint_name;
      if (const EndpointConfig* c = config.find(t.endpoint_name))
        e.host = request_host(c->base_url);
      s.endpoints.push_back(e);
    }
    EndpointRequests& e = s.endpoints[it->second];
    ++e.tasks;
    if (est.done) ++e.done;
    if (est.requests <= 0) continue;
    if (est.recheck) {  // one re-read, known
      ++e.exact_tasks;
      e.exact_requests += est.requests;
      continue;
    }
    switch (est.basis) {
      case EstimateBasis::kExact:
        ++e.exact_tasks;
        e.exact_requests += est.requests;
        break;
      case EstimateBasis::kEstimated:
        ++e.estimated_tasks;
        e.estimated_requests += est.requests;
        break;
      case EstimateBasis::kUnknown:
        ++e.unknown_tasks;
        e.unknown_requests += est.requests;
        break;
    }
  }
  return s;
}

std::string describe_requests(const RequestSummary& s) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "requests the plan needs, at %.2f requests/s per host:\n",
                s.requests_per_second);
  out += line;
  std::snprintf(line, sizeof line, "  %-30s %7s %6s %10s %10s  %s\n", "endpoint", "tasks", "done",
                "requests", "time", "known from");
  out += line;
  bool any_unknown = false;
  for (const auto& e : s.endpoints) {
    std::string basis;
    auto add = [&](std::int64_t n, const char* what) {
      if (n == 0) return;
      basis += (basis.empty() ? "" : ", ") + std::to_string(n) + " " + what;
    };
    add(e.exact_tasks, "exact");
    add(e.estimated_tasks, "estimated");
    add(e.unknown_tasks, "no history (>= 1 each)");
    if (!basis.empty()) basis += " tasks";
    if (!e.note.empty()) basis += (basis.empty() ? "" : "; ") + e.note;
    if (basis.empty()) basis = "nothing to fetch";
    const bool lower = e.unknown_tasks > 0 || e.lower_bound;
    const char* mark = lower ? ">=" : e.estimated_tasks > 0 ? "~" : "";
    any_unknown = any_unknown || lower;
    const double seconds = s.requests_per_second > 0 ? e.requests() / s.requests_per_second : 0;
    std::snprintf(line, sizeof line, "  %-30s %7lld %6lld %2s%8lld %2s%8s  %s\n",
                  e.endpoint.c_str(), static_cast<long long>(e.tasks),
                  static_cast<long long>(e.done), mark, rounded(e.requests()), mark,
                  hours_text(seconds).c_str(), basis.c_str());
    out += line;
  }
  bool any_estimate = false;
  for (const auto& e : s.endpoints) any_estimate = any_estimate || e.estimated_tasks > 0;
  const char* mark = any_unknown ? ">=" : any_estimate ? "~" : "";
  std::snprintf(line, sizeof line, "  %-30s %7s %6s %2s%8lld %2s%8s  (hosts in parallel)\n",
                "total", "", "", mark, rounded(s.requests()), mark,
                hours_text(s.seconds()).c_str());
  out += line;
  return out;
}

}  // namespace baliza::plan
