// Every write an extraction makes, behind one interface (beside ClaimStore, claim_store.h).
//
// The extractor (extractor.h) and its task state machine (task_state.h) never see a database:
// they hand plain values to an ExtractionStore. DuckDbExtractionStore
// (duckdb_extraction_store.h) implements it on the single writer connection of a DuckDB file;
// a PostgreSQL store (many workers on many machines) implements the same interface, together
// with a ClaimStore, without touching the extractor. Nothing here names a DuckDB type.
//
// What goes through it:
//   - pages: each answered request (raw request row, its body content-addressed) and, when it
//     is one of a task's pages, the task's result row (current or superseded);
//   - failed requests (meta.failed_requests) and their resolution once the page is stored;
//   - data shifts (meta.data_shifts): the task's current results become superseded;
//   - circuit breaker transitions (meta.circuit_events);
//   - completeness checks: a task's total read again (meta.completeness_checks);
//   - new schema versions (meta.schema_versions);
//   - the run log (meta.execution_log, meta.pipeline_metrics).
// And the reads an extraction needs: known schema versions, a resumed task's stored pages.
//
// Ordering: the asynchronous writes of one store are applied in the order they were made, and
// a ClaimStore built on the same backend (DuckDbClaimStore on the same Writer) applies
// finish() after every write made before it, so a task is never 'done' before its pages are
// durable. A write is all-or-nothing (a page and its result row together). Writes are durable
// once flush() returns.
//
// Threads: callable from any thread; the extractor calls the asynchronous writes under its own
// task lock, so they must not block for long (a bounded queue may apply back-pressure).
// Errors: a write the backend refuses is counted (refused_writes) and logged, not thrown: the
// run goes on and ends with exit code 1. Reads and the run log throw baliza::Error.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "extract/drift_recorder.h"
#include "extract/raw_payload.h"

namespace baliza::extract {

// One answered request of a task.
struct PageWrite {
  RawRequest request;  // request.page is the task's page number
  bool has_body = false;
  PreparedPayload payload;  // when has_body
  bool result_row = true;   // false: only the raw request is kept (an answer that is not data)
  bool superseded = false;  // kept for the record, not one of the task's current pages
  bool replaces_current = false;  // supersede the task's current result for this page first
  std::int64_t records = 0;
  std::optional<std::int64_t> total_records;  // the envelope's totalRegistros
  std::optional<std::int64_t> total_pages;    // the envelope's totalPaginas
  std::string run_id;
};

// A request that failed for good (permanent, or retries exhausted).
struct FailureWrite {
  std::string task_id, endpoint, url;
  int page = 0;
  long http_status = 0;     // 0 when no HTTP answer
  std::string error_class;  // "permanent", "exhausted", "short_page", ...
  std::string message;
  int attempts = 0;
};

// totalRegistros moved while a task was paged: its current results become superseded.
struct ShiftWrite {
  std::string run_id, task_id, endpoint;
  int page = 0;
  std::optional<std::int64_t> before, after;  // after empty: the page came back empty
};

// A task's total read again once its pages were stored (meta.completeness_checks).
struct CompletenessCheckWrite {
  std::string run_id, task_id, endpoint;
  std::optional<std::int64_t> total;  // what the stored pages hold
  std::optional<std::int64_t> after;  // what page 1 says now
  std::string outcome;                // "confirmed" | "moved"
};

struct CircuitEventWrite {
  std::string run_id, endpoint, from, to;
};

// A current result of a task, as stored.
struct StoredPage {
  int page = 0;
  std::int64_t records = 0;
  std::optional<std::int64_t> total_records;
  int total_pages = 0;
  // A hash per record of the stored body (PageEnvelope::record_hashes), so a resumed task's
  // pages are compared for repeated records too (task_state.h); empty when the store cannot
  // read them back (then those pages are not compared).
  std::vector<std::uint64_t> record_hashes;
};

struct RunStartWrite {
  std::string run_id, command, worker_id;
};

struct RunMetric {
  std::string name, scope;
  double value = 0;
};

struct RunEndWrite {
  std::string run_id;
  std::string status;   // success | failed | interrupted
  std::string message;  // one line
  std::string details;  // JSON text: per-endpoint totals
  std::vector<RunMetric> metrics;
};

class ExtractionStore {
 public:
  virtual ~ExtractionStore() = default;

  // ---- reads (synchronous; they see every write made before them) ----

  // (endpoint, structure) of every stored schema version, oldest first.
  virtual std::vector<std::pair<std::string, std::string>> schema_versions() = 0;
  // The current (not superseded) results of each of `task_ids`, by page number.
  virtual std::map<std::string, std::vector<StoredPage>> current_pages(
      const std::vector<std::string>& task_ids) = 0;

  // ---- the run log (synchronous) ----
  virtual void run_started(const RunStartWrite& run) = 0;
  virtual void run_finished(const RunEndWrite& run) = 0;

  // ---- asynchronous writes, applied in order ----
  virtual void put_page(PageWrite page) = 0;
  virtual void put_failure(FailureWrite failure) = 0;
  // Records the shift and supersedes the task's current results (pages put before it).
  virtual void put_shift(ShiftWrite shift) = 0;
  // Supersedes the task's current results whose total_records differs from `total` (a resumed
  // task whose stored pages disagree).
  virtual void supersede_other_totals(const std::string& task_id,
                                      std::optional<std::int64_t> total) = 0;
  // Supersedes every current result of the task (its pages are about to be fetched again).
  virtual void supersede_task(const std::string& task_id) = 0;
  // Marks resolved the task's failed requests whose page is now a current result (or that
  // have no page).
  virtual void resolve_failures(const std::string& task_id) = 0;
  virtual void put_circuit_event(CircuitEventWrite event) = 0;
  virtual void put_completeness_check(CompletenessCheckWrite check) = 0;
  // `request_url`: the page that showed the version first.
  virtual void put_schema_version(const SchemaVersion& version, const std::string& request_url) = 0;

  // Blocks until every write made so far is durable.
  virtual void flush() = 0;
  // Writes the backend refused so far (each was logged).
  virtual std::uint64_t refused_writes() const = 0;
};

}  // namespace baliza::extract
