// `baliza plan` with a coordinator: the local plan (planning.task_plan) is published to the
// coordinator so that workers anywhere can claim it.
//
// New tasks are added as pending; a task removed or restored by a replan gets its removed_at;
// the status of a task already in the coordinator is never overwritten (the coordinator is
// where extraction state lives; `baliza pull` brings it back here). Idempotent.
// Errors: as pg_connection.h.
#pragma once

#include <cstdint>
#include <string>

#include "coord/pg_connection.h"
#include "db/database.h"
#include "plan/window.h"

namespace baliza::coord {

struct PublishResult {
  std::int64_t tasks = 0;    // local tasks of the scope
  std::int64_t changed = 0;  // rows added or updated in the coordinator
};

// Publishes the local tasks whose window intersects `range` (all when nullopt) of `endpoints`
// (all when empty).
PublishResult publish_plan(Connection& local, PgConnection& pg,
                           const std::optional<plan::DateRange>& range,
                           const std::vector<std::string>& endpoints);

}  // namespace baliza::coord
