// The coordinator's workers as the user sees them: id, host, status, last seen, pages stored,
// pages in the last minute (its current rate) and active claims.
// Errors: as pg_connection.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coord/pg_connection.h"

namespace baliza::coord {

struct WorkerRow {
  std::string worker_id, host, status, last_seen;
  double seconds_since_seen = 0;
  std::int64_t pages = 0, pages_last_minute = 0, active_claims = 0;
};

std::vector<WorkerRow> list_workers(PgConnection& pg);
std::string describe_workers(const std::vector<WorkerRow>& rows);

}  // namespace baliza::coord
