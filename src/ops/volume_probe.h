// The volume probe: what replaces the no-history fallback of the volume planner
// (plan/volume_windows.h) for the first month a database extracts.
//
// Without history a partition (endpoint x modalidade) is planned day by day: a sparse
// modalidade then costs a request a day where one a month would do. The probe asks, for each
// such partition and run of open days inside one calendar month (plan::probe_tasks), page 1 of
// the whole run with the endpoint's smallest page size, and reads totalRegistros (204 = 0).
// Each answer becomes an observed window of the history the planner then reads, so the run is
// cut by volume: a sparse one becomes one window, a dense one windows of at most
// window_target_pages pages (per-day records estimated as the run's average).
// Cost: one request per probed run; bench/windows_requests.cpp measures it against the
// daily fallback and the minimum (bench/results/windows.md).
// A probe that fails (after the engine's retries) or answers without a total adds nothing: that
// partition falls back to the daily plan, as without the probe; the failures are counted.
// Probe answers are not stored (they are planning input, not data: the tasks planned from them
// fetch and prove every record). Runs its own FetchEngine with the endpoints' pacing; blocks
// until every probe has an answer. Errors: environment errors (no network) are returned in
// `environment_error`, the caller decides.
#pragma once

#include <string>

#include "plan/endpoint_config.h"
#include "plan/task_planner.h"
#include "plan/volume_history.h"

namespace baliza::ops {

struct VolumeProbeResult {
  int probes = 0;    // requests made (one per probed run)
  int observed = 0;  // answered with a total (added to the history)
  int failed = 0;    // no total: planned day by day
  std::string environment_error;
};

// Probes the runs of `request` that `history` knows nothing of and adds what they observe to
// history.observed. `base_url`: a --base-url override ("" = as configured).
VolumeProbeResult probe_volumes(const plan::EndpointsConfig& config,
                                const plan::PlanRequest& request, plan::VolumeHistory& history,
                                const std::string& base_url);

std::string describe_volume_probe(const VolumeProbeResult& r);

}  // namespace baliza::ops
