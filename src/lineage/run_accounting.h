// Record accounting of a run: the ledger (ledger.h) of every model the run built, the
// completion gate over it, and its rows in meta.model_accounting / meta.record_ledger.
//
// Which models: every model of the run that succeeded and is materialized (ephemeral models
// have no table). An append-only incremental model (its table keeps every run's rows) is not
// accounted unless it declares its shape. Each is analysed from its full-refresh SQL (so an
// incremental model's table is checked as a whole against what a rebuild would produce). A filter
// whose rejects another model keeps (WHERE NOT <it>, over the same input: a quarantine model) is
// found among all the project's models and becomes an error line.
//
// The gate (per model; `accounting:` config keys, set per folder with `+accounting:` in
// baliza.yml or per model; a share is rows / input rows, a drop is against the same model's
// output in the previous accounted run):
//   warn_quarantined_share (default 0.5)   error_quarantined_share (default 1.0)
//   warn_filtered_share                    error_filtered_share
//   warn_output_drop (default 0.5)         error_output_drop
//   warn_empty_output (default true): input rows but an empty output
// A threshold triggers when the value reaches it (>=). An unbalanced equation always fails;
// a model "not accounted" is reported, never counted as balanced, and does not fail the run.
//
// Errors: measuring problems make a model not accounted (with DuckDB's message); writing the
// meta rows throws baliza::Error. Runs on the caller's connection, after the models ran.
#pragma once

#include <string>
#include <vector>

#include "lineage/ledger.h"
#include "transform/dag.h"
#include "transform/runner.h"

namespace baliza::lineage {

enum class Gate { kOk, kWarn, kError };
const char* to_string(Gate gate);

struct ModelAccounting {
  std::string unique_id;
  std::string name;
  ModelLedger ledger;
  Gate gate = Gate::kOk;
  std::vector<std::string> gate_messages;  // each threshold crossed, or the unbalanced equation
  double seconds = 0;                      // time spent measuring this model
};

struct RunAccounting {
  std::string run_id;
  std::vector<ModelAccounting> models;
  int balanced = 0, unbalanced = 0, not_accounted = 0, warned = 0, failed = 0;
  double seconds = 0;  // time spent measuring
  // 1 when an equation does not hold or a threshold with error severity was crossed.
  int exit_code() const { return failed > 0 ? 1 : 0; }
};

// Measures the ledger of every model `summary` built successfully (none when it built none).
RunAccounting account_run(Connection& conn, const transform::Project& project,
                          const transform::Dag& dag, const transform::RunSummary& summary);

// Writes meta.model_accounting and meta.record_ledger rows of the run (one transaction).
void record_accounting(Connection& conn, const RunAccounting& accounting);

// The table people read at the end of a run ("" when no model was accounted).
std::string describe_accounting(const RunAccounting& accounting);

}  // namespace baliza::lineage
