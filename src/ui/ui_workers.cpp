// The Workers view of `baliza ui`: the extraction coordinator's workers as `baliza pull` last
// stored them (meta.coordinator_workers) and, when a coordinator is configured, live from its
// PostgreSQL (coord/workers_status.h, as `baliza workers`). A coordinator that cannot be reached
// is reported in the answer ("live_error"), not as a failed view: the stored table still shows.
#include "coord/pg_connection.h"
#include "coord/workers_status.h"
#include "ui/ui_api.h"

namespace baliza::ui {

using nlohmann::json;

json UiApi::workers() {
  json out;
  out["stored"] =
      db_.has_relation("meta", "coordinator_workers")
          ? rows(
                "SELECT worker_id, host, pid, status, started_at, last_seen, pages, "
                "pages_last_minute, active_claims, pulled_at FROM meta.coordinator_workers "
                "ORDER BY last_seen DESC NULLS LAST, worker_id")
          : json(nullptr);
  out["coordinator"] = project_.coordinator_url.empty()
                           ? json(nullptr)
                           : json(coord::redact_url(project_.coordinator_url));
  if (project_.coordinator_url.empty()) return out;
  try {
    coord::PgConnection pg(project_.coordinator_url);
    json live = json::array();
    for (const coord::WorkerRow& w : coord::list_workers(pg)) {
      live.push_back({{"worker_id", w.worker_id},
                      {"host", w.host},
                      {"status", w.status},
                      {"last_seen", w.last_seen},
                      {"seconds_since_seen", w.seconds_since_seen},
                      {"pages", w.pages},
                      {"pages_per_minute", w.pages_last_minute},
                      {"active_claims", w.active_claims}});
    }
    out["live"] = std::move(live);
  } catch (const std::exception& e) {
    out["live"] = nullptr;
    out["live_error"] = e.what();
  }
  return out;
}

}  // namespace baliza::ui
