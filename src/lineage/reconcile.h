// Reconcile: the containment laws checked on the data of built models.
//
// For each model (one, or every materialized model of the project whose table exists):
// - forward(backward(y)) = y: the model's own SQL, run again over its inputs now, gives exactly
//   the rows of its table (EXCEPT ALL both ways): an aggregate's counts and sums re-add from the
//   rows behind it, a staging row is the version its inputs say. With a sample, only the sampled
//   rows' keys are recomputed (when the model's rows have keys, row_links.h). Columns computed
//   from the clock or randomness (current_timestamp, random(), ...) are left out of the
//   comparison, and said so.
// - backward(forward(x)) contains x: every input row is in exactly one of output / filtered /
//   error relations: the model's ledger (ledger.h) must balance.
// Failures list the offending rows (up to `limit`) and make the exit code 1. Models whose shape
// the ledger cannot account are checked by the first law only, and reported as such.
// Read-only: only SELECTs run. Errors: usage_error for an unknown model.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "transform/project.h"

namespace baliza::lineage {

struct ReconcileOptions {
  std::string model;  // empty: every model
  int sample = 0;     // 0: every row
  int limit = 10;     // offending rows listed per model
};

struct ReconcileModel {
  std::string relation;
  bool ok = true;
  std::vector<std::string> checks;                     // what was checked, with the figures
  nlohmann::json offending = nlohmann::json::array();  // {"side": ..., "row": {...}}
};

struct ReconcileResult {
  std::vector<ReconcileModel> models;
  int failed = 0;
  int exit_code() const { return failed > 0 ? 1 : 0; }
  nlohmann::json to_json() const;
  std::string to_text() const;
};

ReconcileResult reconcile(Connection& conn, const transform::Project& project,
                          const ReconcileOptions& options);

}  // namespace baliza::lineage
