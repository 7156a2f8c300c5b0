// `baliza worker`: one extraction worker of a plan published in the coordinator.
//
// It claims tasks from the coordinator (PgClaimStore), fetches their pages with the usual
// extractor (pacing, retries, completeness: extract/extractor.h) and writes everything to the
// coordinator (PgExtractionStore); it needs no local DuckDB file. When nothing is left to claim
// but other workers still hold claims in its scope, it waits for those claims to end or expire
// (a worker that died leaves claims that expire and are re-claimed here), unless `once`.
//
// Errors: an unreachable coordinator at start is an environment error (exit 3) at once; a
// connection lost mid-run is retried for `patience` (a server restart is survived).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "coord/pg_connection.h"
#include "extract/extractor.h"
#include "plan/endpoint_config.h"

namespace baliza::coord {

struct WorkerOptions {
  std::string url;                     // the coordinator
  std::string worker_id;               // generated (host-pid-random) when empty
  std::chrono::seconds patience{120};  // how long a lost coordinator is waited for
  bool once = false;                   // do not wait for other workers' claims
};

extract::ExtractResult run_worker(const WorkerOptions& worker, const plan::EndpointsConfig& config,
                                  extract::ExtractOptions options);

// Connects and creates/updates the coordinator's tables; throws as pg_connection.h. A server
// that cannot be reached at all is exit 3 at once (a wrong URL should not wait); a connection
// lost after it was made (a restart, a cut session) is retried for `patience`.
std::unique_ptr<PgConnection> connect_coordinator(
    const std::string& url, std::chrono::seconds patience = std::chrono::seconds(30));

}  // namespace baliza::coord
