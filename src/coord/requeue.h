// `baliza retry-failed` with a coordinator: the failed and partial tasks of a period go back to
// pending in the coordinator (their stored pages are kept; a worker fetches only what is
// missing), so any worker picks them up. Returns the task ids. Errors: as pg_connection.h.
#pragma once

#include <string>
#include <vector>

#include "coord/pg_connection.h"
#include "plan/window.h"

namespace baliza::coord {

std::vector<std::string> requeue_failed(PgConnection& pg, const plan::DateRange& range,
                                        const std::vector<std::string>& endpoints);

}  // namespace baliza::coord
