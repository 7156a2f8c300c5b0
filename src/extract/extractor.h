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
// Files: the store behind it (extraction_store.h, claim_store.h; DuckDB implementations in
// duckdb_extraction_store.h, duckdb_claim_store.h), the task state machine (task_state.h),
// the page processors (page_processors.h), totals (extract_totals.h), the report
// (extract_report.h), config mapping (engine_config.h) and error text (failure_message.h).
// This file is the loop: claim, fan out, watch, stop.
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
#include <optional>
#include <string>

#include "db/database.h"
#include "extract/claim_store.h"
#include "extract/engine_config.h"
#include "extract/extract_report.h"
#include "extract/extract_totals.h"
#include "extract/extraction_store.h"
#include "extract/failure_message.h"
#include "extract/fetch_engine.h"
#include "extract/raw_payload.h"
#include "extract/writer.h"
#include "plan/endpoint_config.h"

namespace baliza::extract {

struct ExtractOptions {
  ClaimScope scope;
  std::string base_url;   // replaces every endpoint's base_url when not empty
  int concurrency = 0;    // requests in flight; 0 = endpoints.yaml defaults.concurrency
  int max_attempts = 0;   // per page, first try included; 0 = defaults.retry.max_attempts
  std::string run_id;     // generated when empty
  std::string worker_id;  // who claims (host:pid:run); generated when empty
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
  // Re-requests of a short page (task_state.h); < 0: endpoints.yaml's short_page_retries.
  int short_page_retries = -1;
  bool confirm_total = true;  // re-read page 1 once a task's pages are stored (task_state.h)
  std::optional<std::uint64_t> retry_seed;
  // Called on the calling thread with each endpoint the first time a task of it is claimed,
  // before its pages are requested (OpenLineage: the endpoint's extraction run starts).
  std::function<void(const std::string& endpoint)> on_endpoint_claimed;
};

// Extracts into a DuckDB file: one Writer on `conn`, a DuckDbExtractionStore and a
// DuckDbClaimStore on it (options.writer tunes the writer). Throws an environment error
// (exit 3) when no request could reach the API (result.environment_error).
ExtractResult run_extract(Connection& conn, const plan::EndpointsConfig& config,
                          const ExtractOptions& options);

// Extracts through any pair of stores (e.g. PostgreSQL claims and writes). The caller keeps
// them alive and flushes/closes them after; result.writer_failures is store.refused_writes().
// An unreachable API is returned in result.environment_error (exit_code() 3), not thrown.
ExtractResult run_extract(ExtractionStore& store, ClaimStore& claims,
                          const plan::EndpointsConfig& config, const ExtractOptions& options);

}  // namespace baliza::extract
