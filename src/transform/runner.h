// The runner: executes selected nodes (models, seeds, tests) in DAG order, several at a time.
//
// Each worker thread has its own Connection to the one Database (DuckDB serializes what must
// be serialized; transaction conflicts between workers are retried, never reported). A node
// starts when its nearest selected ancestors have finished. A node that errors (or a test that
// fails with severity error) marks every selected node waiting on it, transitively, SKIPPED;
// the rest of the run goes on. With fail_fast, nothing new starts after the first failure.
// In build mode a test also gates the children of the node it tests, as in `dbt build`.
// Ephemeral models are never executed: they are inlined into their consumers.
//
// Progress goes to `print` in dbt's manner:
//   3 of 12 START sql table model staging.x ............................ [RUN]
//   3 of 12 OK created sql table model staging.x ....................... [1,234 rows in 0.12s]
// followed by failure details and "Done. PASS=10 WARN=1 ERROR=1 SKIP=2 TOTAL=14".
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "transform/dag.h"

namespace baliza::transform {

struct NodeResult;

struct RunOptions {
  bool full_refresh = false;
  bool fail_fast = false;
  bool build_mode = false;      // tests gate the children of the node they test
  bool store_failures = false;  // --store-failures: tests without the config keep their rows
  bool warn_error = false;      // --warn-error: a test that warns fails (transform/test_run.h)
  // Microbatch models (transform/microbatch.h): --event-time-start / --event-time-end as
  // given (checked by parse_utc_time before the run; empty: not given), and the batches
  // `dbt retry` runs again instead of computing them: unique_id -> [start, end) pairs as
  // run_results' batch_results wrote them.
  std::string event_time_start;
  std::string event_time_end;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> retry_batches;
  int threads = 4;
  // Opens one more connection to the database (called once per worker thread).
  std::function<std::unique_ptr<Connection>()> connect;
  std::function<void(const std::string&)> print;
  // Optional observers (OpenLineage events, ...): called on worker threads when a node starts
  // and when it has finished (a skipped node gets on_node_finish only). Must be thread-safe
  // and quick; they run outside the runner's lock except for skipped nodes.
  std::function<void(const Node&)> on_node_start;
  std::function<void(const Node&, const NodeResult&)> on_node_finish;
  // Ctrl-C: once *interrupts >= 1 no node starts any more (the rest end "skipped"), and the
  // statements running are interrupted (duckdb_interrupt): their nodes end with status error,
  // NodeResult::interrupted set, and nothing half-built (each materialization is one
  // transaction or build-beside-and-swap). The summary says interrupted (exit code 130).
  const std::atomic<int>* interrupts = nullptr;
};

struct NodeResult {
  std::string unique_id;
  // success, error, skipped, partial success (a microbatch model with some failed batches:
  // counted as an error) for models and seeds; pass, fail, warn, error for tests.
  std::string status;
  std::string started_at;  // UTC "YYYY-MM-DD HH:MM:SS.ffffff"; empty when it never started
  std::string completed_at;
  double execution_time = 0;  // seconds
  int thread_id = 0;
  std::int64_t rows_affected = -1;
  bool rebuilt = false;  // models: the table was built from scratch (not an incremental increment)
  std::optional<std::int64_t> failures;  // tests
  std::string message;
  std::string compiled_code;
  bool interrupted = false;  // stopped by Ctrl-C while it ran (status error)
  // Microbatch models: {"successful": [[start, end], ...], "failed": [...]} (ISO 8601 UTC,
  // dbt's run_results batch_results); null otherwise.
  nlohmann::json batch_results;
};

struct RunSummary {
  std::string run_id;
  std::string started_at;
  std::string completed_at;
  double elapsed = 0;
  std::vector<NodeResult> results;  // in the order nodes finished
  int pass = 0, warn = 0, error = 0, skip = 0;
  bool interrupted = false;  // Ctrl-C stopped the run (RunOptions::interrupts)
  int total() const { return pass + warn + error + skip; }
  int exit_code() const { return interrupted ? 130 : error > 0 ? 1 : 0; }
};

// Runs `selected` (Dag indexes). Ephemeral models among them are left out.
RunSummary run_nodes(const Project& project, const Dag& dag,
                     const std::vector<std::size_t>& selected, const RunOptions& options);

// "1,234"
std::string format_count(std::int64_t n);
// Pads "<left> " with dots to a fixed width, then " <right>" (dbt's progress lines).
std::string progress_line(const std::string& left, const std::string& right);

}  // namespace baliza::transform
