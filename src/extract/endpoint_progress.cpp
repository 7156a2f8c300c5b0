#include "extract/endpoint_progress.h"

#include <algorithm>
#include <cmath>

namespace baliza::extract {

std::vector<EndpointProgress> estimate_endpoint_progress(
    const std::map<std::string, std::int64_t>& planned,
    const std::map<std::string, EndpointTotals>& totals,
    const std::unordered_map<std::string, TaskState>& active) {
  struct Acc {
    std::int64_t active = 0, known = 0, unknown = 0;
    std::int64_t known_pages = 0, remaining = 0;
  };
  std::map<std::string, Acc> acc;
  for (const auto& [id, t] : active) {
    Acc& a = acc[t.claim.endpoint];
    ++a.active;
    if (t.total) {
      const std::int64_t pages = std::max(1, t.total_pages);
      ++a.known;
      a.known_pages += pages;
      a.remaining += std::max<std::int64_t>(0, pages - static_cast<std::int64_t>(t.done.size()));
    } else {
      ++a.unknown;
    }
  }
  std::map<std::string, bool> names;
  for (const auto& [name, n] : planned) names[name] = true;
  for (const auto& [name, a] : acc) names[name] = true;
  for (const auto& [name, e] : totals) names[name] = true;

  std::vector<EndpointProgress> out;
  for (const auto& [name, _] : names) {
    const Acc a = acc.count(name) ? acc.at(name) : Acc{};
    const EndpointTotals e = totals.count(name) ? totals.at(name) : EndpointTotals{};
    const std::int64_t finished = e.tasks_done + e.tasks_failed + e.tasks_partial;
    EndpointProgress p;
    p.endpoint = name;
    p.pages_done = e.pages;
    p.tasks_done = finished;
    const std::int64_t start = planned.count(name) ? planned.at(name) : 0;
    p.tasks_total = std::max(start, finished + a.active + e.tasks_released);
    if (p.tasks_total == 0) continue;
    // Tasks whose page count is still unknown: claimed ones without an answer yet, and the
    // ones not claimed yet.
    const std::int64_t unknown =
        a.unknown +
        std::max<std::int64_t>(0, p.tasks_total - finished - a.active - e.tasks_released);
    const std::int64_t seen_tasks = finished + a.known;
    const double per_task =
        seen_tasks > 0 ? static_cast<double>(e.pages + a.remaining) / seen_tasks : 1.0;
    p.pages_expected =
        e.pages + a.remaining + static_cast<std::int64_t>(std::ceil(unknown * per_task));
    p.estimated = unknown > 0;
    out.push_back(p);
  }
  return out;
}

}  // namespace baliza::extract
