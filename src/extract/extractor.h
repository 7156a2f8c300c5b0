// The extractor: claims planned tasks and walks their pages into the raw store.
//
// For each claimed task it fetches page 1, learns totalPaginas and fans out the rest; a task
// resumed after a crash or an interrupt fetches only the pages runtime.task_results lacks.
// Every fetched page ends in exactly one place:
//   - 200: its body in the raw store and a runtime.task_results row, in one transaction;
//   - 204 (or an endpoint's other "empty" status, 404 for instrumentoscobranca) on page 1: a
//     raw.api_requests row without body and a zero-record result: the task is done, empty;
//   - 400/422 and other permanent failures, and retries exhausted: meta.failed_requests with
//     the API's message (or the last error) and the attempts made.
// Data shift: pages of one task must agree on totalRegistros. When a page reports another
// total than the pages accepted before it (the live data moved between requests), the shift
// goes to meta.data_shifts, the task's current results are marked superseded (kept, not
// deleted) and every page not fetched under the new total is fetched again, so no record is
// missed; after `max_shift_rounds` such rounds the task ends 'partial'.
// Schema drift: a sample of each page is fingerprinted; a shape no known version of the
// endpoint matches goes to meta.schema_versions and is logged as a warning (drift_recorder.h).
//
// Threads: the FetchEngine's HTTP and scheduling threads, page processors (hash, compress,
// fingerprint, decide) and the writer thread, which alone touches DuckDB (writer.h). The
// calling thread claims tasks, renews claims, draws progress and watches for interrupts.
//
// Interrupts: when *interrupts becomes >= 1 the extractor stops claiming, lets requests on
// the wire finish (abandoning the rest; after `grace` it abandons those too), releases the
// claims of unfinished tasks (their stored pages stay), flushes the writer and returns with
// interrupted = true. A page is stored with its result row or not at all.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "extract/claim_store.h"
#include "extract/fetch_engine.h"
#include "extract/raw_store.h"
#include "extract/writer.h"
#include "plan/endpoint_config.h"

namespace baliza::extract {

struct ExtractOptions {
  ClaimScope scope;
  std::string base_url;  // replaces every endpoint's base_url when not empty
  int concurrency = 0;   // requests in flight; 0 = endpoints.yaml defaults.concurrency
  int max_attempts = 0;  // per page, first try included; 0 = defaults.retry.max_attempts
  std::string run_id;    // generated when empty
  std::string command = "extract";
  int claim_batch = 0;  // tasks per claim; 0 = max(256, 32 x concurrency)
  RawStoreOptions raw;
  WriterOptions writer;
  std::chrono::milliseconds grace{5000};
  const std::atomic<int>* interrupts = nullptr;
  bool progress = false;      // draw progress on stderr
  bool progress_tty = false;  // redraw in place (else a log line every progress_every)
  std::chrono::milliseconds progress_every{5000};
  std::size_t drift_sample = 32;  // records per page fingerprinted
  int max_shift_rounds = 3;
  std::optional<std::uint64_t> retry_seed;
  // The claim backend; DuckDbClaimStore on the writer when empty.
  std::function<std::unique_ptr<ClaimStore>(Writer&)> claim_store;
};

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

  EndpointTotals total() const;
  // 130 when interrupted, 1 when a task failed or ended partial or a write failed, else 0.
  int exit_code() const;
};

ExtractResult run_extract(Connection& conn, const plan::EndpointsConfig& config,
                          const ExtractOptions& options);

// The end-of-run summary: one line per endpoint and a total.
std::string describe_extract_result(const ExtractResult& result);

// FetchEngine settings from endpoints.yaml defaults (overrides when > 0).
FetchEngineOptions engine_options(const plan::EndpointsConfig& config, int concurrency,
                                  int max_attempts);

// The message worth keeping from a failed answer: the API's "message" (PNCP error bodies are
// JSON), else the start of the body, else the transport error.
std::string failure_message(const PageOutcome& outcome);

}  // namespace baliza::extract
