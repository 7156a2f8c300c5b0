#include "coord/workers_status.h"

#include <fmt/format.h>

namespace baliza::coord {

std::vector<WorkerRow> list_workers(PgConnection& pg) {
  const PgResult r = pg.exec(
      "SELECT w.worker_id, w.host, w.status, to_char(w.last_seen AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD HH24:MI:SS'), extract(epoch FROM now() - w.last_seen), (SELECT count(*) FROM "
      "baliza.api_requests r WHERE r.worker_id = w.worker_id), (SELECT count(*) FROM "
      "baliza.api_requests r WHERE r.worker_id = w.worker_id AND r.collected_at > (now() AT "
      "TIME ZONE 'UTC') - interval '1 minute'), (SELECT count(*) FROM baliza.task_claims c "
      "WHERE c.worker_id = w.worker_id AND c.status = 'active') FROM baliza.workers w ORDER BY "
      "w.last_seen DESC");
  std::vector<WorkerRow> rows;
  for (int i = 0; i < r.rows(); ++i) {
    WorkerRow w;
    w.worker_id = r.get(i, 0);
    w.host = r.get(i, 1);
    w.status = r.get(i, 2);
    w.last_seen = r.get(i, 3);
    w.seconds_since_seen = std::stod(r.get(i, 4).empty() ? "0" : r.get(i, 4));
    w.pages = r.get_int64(i, 5);
    w.pages_last_minute = r.get_int64(i, 6);
    w.active_claims = r.get_int64(i, 7);
    rows.push_back(std::move(w));
  }
  return rows;
}

std::string describe_workers(const std::vector<WorkerRow>& rows) {
  if (rows.empty()) return "no worker has joined the coordinator yet (start one: baliza worker)\n";
  std::string out = fmt::format("{:<36} {:<20} {:<8} {:>10} {:>9} {:>9} {:>7}\n", "worker", "host",
                                "status", "last seen", "pages", "pages/min", "claims");
  for (const WorkerRow& w : rows) {
    out +=
        fmt::format("{:<36} {:<20} {:<8} {:>9.0f}s {:>9} {:>9} {:>7}\n", w.worker_id, w.host,
                    w.status, w.seconds_since_seen, w.pages, w.pages_last_minute, w.active_claims);
  }
  return out;
}

}  // namespace baliza::coord
