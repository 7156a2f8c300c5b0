// Reverse-join capture (opt-in): for a model whose rows the SQL cannot be inverted for (an
// aggregate joined to aggregates, a union of aggregates, a window over arbitrary frames), the
// input rows of each output row are recorded right after the build, so trace and impact are
// exact for it.
//
// Opt in per model with `{{ config(lineage_capture=true) }}` or per folder/project with
// `+lineage_capture: true` in baliza.yml. After the run (at the same point as the ledger, when
// every table holds what this run built), each opted-in model that was built is captured:
// its SQL is rewritten (the model's own parse tree, FlowSql) to carry, beside every output row,
// the rowids of the base-relation rows it comes from — a relation read contributes [rowid];
// selects, joins and row_number() dedups carry the lists; an aggregate concatenates them
// (flatten(list(..))); a row with window values gets the lists of every row its windows read (an
// aggregate window: list(..) over the same frame; lag, rank, ...: its whole partition); DISTINCT
// and UNION (distinct) become a GROUP BY that concatenates the same way;
// UNION ALL aligns every operand's lists — and each captured row is matched to the model's table
// row with the same values (all columns, IS NOT DISTINCT FROM).
//
// Stored in the database: lineage.row_capture(model, output_rowid, relation, input_rowid), one
// row per link, and lineage.row_capture_runs (per model: run, time, output rows, rows matched,
// links, each input's row count at capture, seconds, status, message). A capture is valid while
// the model's table and its inputs are unchanged: trace/impact treat it as stale (reported,
// never used silently) when a row count differs or when the project rebuilt the model or one of
// its inputs after the capture (meta.node_results: a rebuilt table's rowids are new ones).
//
// Not captured (status `unsupported`, with the reason): recursive CTEs, EXCEPT/INTERSECT,
// DISTINCT ON, COLUMNS(*) stars, LIMIT inside the query. Rows read only inside expression
// subqueries (WHERE x IN (SELECT ..)) are not links. A table row with no captured row (a
// clock column, a non-deterministic value) makes the status `partial`.
//
// Errors: capture problems are reported in the result, never thrown; writing the lineage tables
// throws baliza::Error. Threads: the caller's connection, one at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "lineage/model_shape.h"
#include "transform/dag.h"
#include "transform/runner.h"

namespace baliza::lineage {

struct ModelCapture {
  std::string model;     // name
  std::string relation;  // schema.table
  std::string status;    // captured, partial, unsupported, failed
  std::string message;
  std::int64_t output_rows = 0, matched_rows = 0, links = 0;
  double seconds = 0;
};

struct RunCapture {
  std::vector<ModelCapture> models;
  double seconds = 0;
  std::string describe() const;  // "" when no model opted in
};

// Whether a node opted in (config lineage_capture).
bool capture_enabled(const transform::Node& node);

// Captures one built model (its compiled full-refresh SQL analysed into `shape`, its table
// `table`), replacing its earlier capture.
ModelCapture capture_model(Connection& conn, const ModelShape& shape, const std::string& model,
                           const RelationName& table, const std::string& run_id);

// Captures every opted-in model `summary` built successfully.
RunCapture capture_run(Connection& conn, const transform::Project& project,
                       const transform::Dag& dag, const transform::RunSummary& summary);

// The stored capture of a model, when there is one and it is still valid: the relations it
// links to (schema.table). `stale` says why it is not valid any more ("" when valid or absent).
struct StoredCapture {
  std::vector<std::string> relations;
  std::string stale;
};
std::optional<StoredCapture> stored_capture(Connection& conn, const std::string& model,
                                            const RelationName& table);

// SQL over lineage.row_capture: input rowids (column rowid, __rank 1) of `relation` behind the
// model rows whose rowids `output_rowids` returns, and the reverse.
std::string captured_backward_sql(const std::string& model, const std::string& relation,
                                  const std::string& output_rowids);
std::string captured_forward_sql(const std::string& model, const std::string& relation,
                                 const std::string& input_rowids);

}  // namespace baliza::lineage
