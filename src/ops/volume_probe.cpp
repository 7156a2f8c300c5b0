#include "ops/volume_probe.h"

#include <map>
#include <mutex>

#include "extract/engine_config.h"
#include "extract/fetch_engine.h"
#include "plan/base_url.h"
#include "plan/page_url.h"
#include "plan/volume_windows.h"

namespace baliza::ops {

VolumeProbeResult probe_volumes(const plan::EndpointsConfig& original,
                                const plan::PlanRequest& request, plan::VolumeHistory& history,
                                const std::string& base_url) {
  VolumeProbeResult result;
  const std::vector<plan::Task> probes = plan::probe_tasks(original, request, history);
  if (probes.empty()) return result;
  // The probe asks the smallest page: only its total matters.
  plan::EndpointsConfig config = original;
  for (auto& e : config.endpoints) {
    if (!base_url.empty())
      e.base_url =
          e.base_url_ref.empty() ? base_url : plan::resolve_base_url(base_url, e.base_url_ref);
    if (e.page_size_min > 0) e.page_size = e.page_size_min;
  }
  std::mutex mutex;
  std::map<std::uint64_t, extract::PageOutcome> outcomes;
  extract::FetchEngine engine(extract::engine_options(config, 0, 0), [&](extract::PageOutcome o) {
    std::lock_guard lock(mutex);
    outcomes.emplace(o.tag, std::move(o));
  });
  std::uint64_t tag = 0;
  for (const plan::Task& t : probes) {
    if (!engine.submit(
            extract::PageRequest{t.endpoint_name, plan::page_url(config, t, 1), tag++, {}}))
      break;
    ++result.probes;
  }
  engine.wait_idle();
  result.environment_error = engine.environment_error().value_or("");
  for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(result.probes); ++i) {
    const auto it = outcomes.find(i);
    const plan::Task& t = probes[i];
    std::optional<std::int64_t> total;
    if (it != outcomes.end()) {
      const extract::PageOutcome& o = it->second;
      if (o.status == extract::FetchStatus::kEmpty) total = 0;
      if (o.status == extract::FetchStatus::kSuccess && o.envelope)
        total = o.envelope->total_registros;
    }
    if (!total) {
      ++result.failed;
      continue;
    }
    const plan::EndpointConfig& e = *original.find(t.endpoint_name);
    const plan::DateRange window{t.data_date, t.window_end};
    history.observed.push_back(
        {t.endpoint_name, plan::partition_key(e, t.params, window), window, *total});
    ++result.observed;
  }
  return result;
}

std::string describe_volume_probe(const VolumeProbeResult& r) {
  if (r.probes == 0) return "";
  std::string out = "volume probe: " + std::to_string(r.probes) +
                    " request(s) for windows without history (page 1 of each month's run)";
  if (r.failed > 0)
    out += "; " + std::to_string(r.failed) + " without an answer: planned day by day";
  if (!r.environment_error.empty()) out += "; " + r.environment_error;
  return out;
}

}  // namespace baliza::ops
