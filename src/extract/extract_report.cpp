#include "extract/extract_report.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "extract/progress.h"

namespace baliza::extract {

std::string describe_extract_result(const ExtractResult& r) {
  std::string out;
  char buf[320];
  std::snprintf(buf, sizeof buf, "%-30s %7s %6s %7s %8s %7s %9s %9s %9s %8s %6s %5s\n", "endpoint",
                "done", "failed", "partial", "pending", "pages", "records", "MB raw", "MB stored",
                "failures", "shifts", "drift");
  out += buf;
  auto row = [&](const std::string& name, const EndpointTotals& e) {
    std::snprintf(buf, sizeof buf,
                  "%-30s %7lld %6lld %7lld %8lld %7lld %9lld %9.2f %9.2f %8lld %6lld %5lld\n",
                  name.c_str(), static_cast<long long>(e.tasks_done),
                  static_cast<long long>(e.tasks_failed), static_cast<long long>(e.tasks_partial),
                  static_cast<long long>(e.tasks_released), static_cast<long long>(e.pages),
                  static_cast<long long>(e.records), e.bytes / 1048576.0,
                  e.bytes_compressed / 1048576.0, static_cast<long long>(e.failures),
                  static_cast<long long>(e.shifts), static_cast<long long>(e.drift));
    out += buf;
  };
  for (const auto& [name, e] : r.endpoints) row(name, e);
  const EndpointTotals t = r.total();
  row("total", t);
  std::snprintf(buf, sizeof buf, "%.1fs, %.0f pages/s, %llu retries, run %s\n", r.seconds,
                r.seconds > 0 ? t.pages / r.seconds : 0.0,
                static_cast<unsigned long long>(r.fetch.retries), r.run_id.c_str());
  out += buf;
  out += describe_pacing(r.pacing);
  if (!r.open_circuits.empty()) {
    std::string names;
    for (const auto& n : r.open_circuits) names += (names.empty() ? "" : ", ") + n;
    out += "circuits not closed at the end: " + names + "\n";
  }
  if (t.drift > 0) {
    out +=
        "records changed shape (drift): see "
        "`baliza query \"select * from meta.schema_versions order by first_seen_at\"`; the "
        "staging models quarantine what they can no longer read\n";
  }
  if (r.writer_failures > 0) {
    out += std::to_string(r.writer_failures) + " records could not be stored (see the log)\n";
  }
  if (r.interrupted)
    out += "interrupted: unfinished tasks were released; run the command again to resume\n";
  return out;
}

RunEndWrite run_end_record(const ExtractResult& r) {
  const EndpointTotals t = r.total();
  RunEndWrite w;
  w.run_id = r.run_id;
  w.status = r.interrupted ? "interrupted" : r.exit_code() == 0 ? "success" : "failed";
  nlohmann::json details = nlohmann::json::object();
  for (const auto& [name, e] : r.endpoints) {
    details[name] = {{"tasks_done", e.tasks_done},
                     {"tasks_failed", e.tasks_failed},
                     {"tasks_partial", e.tasks_partial},
                     {"tasks_released", e.tasks_released},
                     {"pages", e.pages},
                     {"records", e.records},
                     {"bytes", e.bytes},
                     {"bytes_compressed", e.bytes_compressed},
                     {"failures", e.failures},
                     {"shifts", e.shifts},
                     {"drift", e.drift}};
  }
  w.details = details.dump();
  w.message = std::to_string(t.tasks_done) + " tasks done, " +
              std::to_string(t.tasks_failed + t.tasks_partial) + " failed, " +
              std::to_string(t.pages) + " pages, " + std::to_string(t.records) + " records";
  w.metrics.push_back({"extract.seconds", "run", r.seconds});
  w.metrics.push_back({"extract.pages_per_second", "run", r.seconds > 0 ? t.pages / r.seconds : 0});
  for (const auto& [name, e] : r.endpoints) {
    w.metrics.push_back({"extract.pages", name, static_cast<double>(e.pages)});
    w.metrics.push_back({"extract.records", name, static_cast<double>(e.records)});
    w.metrics.push_back({"extract.bytes", name, static_cast<double>(e.bytes)});
    w.metrics.push_back({"extract.failures", name, static_cast<double>(e.failures)});
  }
  for (const HostPacing& h : r.pacing) {
    w.metrics.push_back({"extract.pace_requests_per_second", h.host, h.rate});
    w.metrics.push_back({"extract.throttled", h.host, static_cast<double>(h.throttled)});
  }
  return w;
}

}  // namespace baliza::extract
