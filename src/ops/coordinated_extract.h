// The extract stage of `baliza run` when a coordinator (PostgreSQL) is configured: the local
// plan is published, this machine extracts as one more worker of it (coord/worker.h, waiting
// for the other workers' claims to end or expire), then `pull` copies everything the workers
// stored into the local DuckDB file, so the transform that follows sees the whole period.
// Errors: as coord/pg_connection.h (an unreachable coordinator is exit 3 at once).
#pragma once

#include <functional>
#include <string>

#include "db/database.h"
#include "extract/extractor.h"
#include "plan/endpoint_config.h"
#include "plan/window.h"

namespace baliza::ops {

extract::ExtractResult extract_through_coordinator(
    Connection& db, const std::string& url, const plan::EndpointsConfig& config,
    const extract::ExtractOptions& options, const plan::DateRange& range,
    const std::vector<std::string>& endpoints, const std::function<void(const std::string&)>& say);

}  // namespace baliza::ops
