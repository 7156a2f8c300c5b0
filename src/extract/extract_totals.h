// What an extraction did, counted: per endpoint totals and the run's result and exit code.
// Plain values; the extractor fills them under its task lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "extract/fetch_engine.h"

namespace baliza::extract {

struct EndpointTotals {
  std::int64_t tasks_done = 0, tasks_failed = 0, tasks_partial = 0, tasks_released = 0;
  std::int64_t pages = 0;    // pages stored as current results (empty answers included)
  std::int64_t records = 0;  // records in those pages
  std::uint64_t bytes = 0;   // their bodies, uncompressed
  std::uint64_t bytes_compressed = 0;
  std::int64_t failures = 0;  // rows written to meta.failed_requests
  std::int64_t shifts = 0;
  std::int64_t drift = 0;  // new schema versions (baselines excluded)
  void add(const EndpointTotals& o);
};

struct ExtractResult {
  std::string run_id;
  std::map<std::string, EndpointTotals> endpoints;
  bool interrupted = false;
  double seconds = 0;
  std::int64_t orphaned_claims = 0;        // claims of dead processes released at start
  std::uint64_t writer_failures = 0;       // items the database refused (see the log)
  std::vector<std::string> open_circuits;  // endpoints whose circuit was not closed at the end
  FetchCounters fetch;
  std::vector<HostPacing> pacing;  // per host: the rate reached and the throttles met
  // Set when the API could not be reached at all (FetchEngine::environment_error()): the run
  // stopped at once, released its tasks, and run_extract() throws it as an environment error.
  std::string environment_error;

  EndpointTotals total() const;
  // 3 when the API could not be reached, 130 when interrupted, 1 when a task failed or ended
  // partial or a write failed, else 0.
  int exit_code() const;
};

}  // namespace baliza::extract
