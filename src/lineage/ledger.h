// The record ledger of one model: where every input row of the model went — the output, a named
// filter, a dedup, a join that dropped it, or an error (quarantine) relation — measured on the
// data, and whether `input = output + filtered + errors` holds.
//
// How the split is derived (model_shape.h gives the shape):
// - The model's rows are counted against its *counted flow*: the model's query with row-
//   preserving projections (CTEs, subqueries, selects without filters) stripped.
// - kSelect over a source: input = rows of the source (for a select with unnest: the list
//   elements, sum of the unnested lists' lengths, and the source rows as a `read` line);
//   each WHERE conjunct is a filter, counted in order (rows it rejects among those the previous
//   conjuncts kept); QUALIFY row_number() = 1 and DISTINCT are a dedup; other QUALIFY a window
//   filter; GROUP BY folds rows into groups (then the groups must equal the output rows, HAVING
//   rejections aside).
// - Source a join: input = rows of the driving (leftmost) side; each INNER/SEMI/ANTI join on keys
//   drops the rows with no match (counted with an ANTI join on the same condition); LEFT joins
//   drop nothing; a join that multiplies rows (the other side not unique on the keys) is a
//   fan-out and the equation fails, naming it. The other sides are `lookup` lines.
// - A UNION ALL is the sum of its operands' ledgers; UNION (distinct) adds a dedup line.
// - A filter whose rejected rows another model keeps (that model selects the same input with
//   WHERE NOT <the same predicate>, e.g. a quarantine model) becomes an `error` line: the rows of
//   that relation, measured on its table.
// Each term is measured independently (the output on the model's table, the rest on its inputs
// with the model's own SQL pieces), so the equation can fail: a broken incremental merge, a lost
// quarantine row, a join fan-out all show up as unbalanced.
//
// Declared shapes (model config `accounting:`), for what the SQL cannot tell:
//   accounting:
//     input: orders                 # a model/seed name, or schema.table: the driving input
//     filters: {cancelled: "status = 'cancelled'"}   # predicates over the input, each a line
//     errors: [quarantine_orders]   # relations whose rows are this model's error rows
// `accounting: false` opts a model out (reported as not accounted, "disabled").
// Anything neither derivable nor declared is `not_accounted` with the reason, never balanced.
//
// Errors: a measuring query that fails makes the model `not_accounted` with DuckDB's message;
// account_model itself throws only for programming errors. Threads: one connection per call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lineage/flow_sql.h"
#include "lineage/model_shape.h"

namespace baliza::lineage {

enum class LineKind {
  kInput,     // the rows the equation starts from (driving input)
  kRead,      // rows read from a relation (informational)
  kLookup,    // rows of a joined lookup side (informational)
  kOutput,    // rows in the model's table
  kFiltered,  // rows a named filter, dedup or dropping join removed
  kError,     // rows kept in an error (quarantine) relation
  kFanout,    // rows a join added (breaks the equation)
  kGroups,    // distinct groups of an aggregation (must equal output + having rejections)
  kKept,      // rows an incremental model's table keeps from earlier runs, which this run's SQL
              // does not produce (not in the equation: output = table rows - kept)
};
const char* to_string(LineKind kind);

struct LedgerLine {
  LineKind kind;
  std::string relation;  // the relation read / written / the error relation ("" if none)
  std::string reason;    // e.g. "where is_valid", "dedup row_number by [k]", "join no match x"
  std::int64_t rows = 0;
};

enum class LedgerStatus { kBalanced, kUnbalanced, kNotAccounted };
const char* to_string(LedgerStatus status);

struct ModelLedger {
  std::string model;     // unique_id or name (the caller's label)
  std::string relation;  // schema.table of the model's output
  std::string shape;     // describe() of the counted flow, or "declared"
  LedgerStatus status = LedgerStatus::kNotAccounted;
  std::string message;  // why not accounted / what does not balance
  std::vector<LedgerLine> lines;
  std::int64_t input = 0, output = 0, filtered = 0, errors = 0;  // the equation's terms
  std::string equation() const;  // "100 = 90 + 6 + 4" or the reason it is not accounted
};

// Another model whose rows are the rejects of a filter of this one (see above).
struct ErrorRelation {
  std::string label;               // schema.table
  RelationName name;               // as SQL names it
  const Expr* rejected = nullptr;  // the filter of *this* model whose rejects it keeps
};

struct DeclaredAccounting {
  bool disabled = false;
  std::string input;  // SQL relation text ("schema"."table"), already resolved
  std::string input_label;
  std::vector<std::pair<std::string, std::string>> filters;  // name, predicate
  std::vector<std::pair<std::string, std::string>> errors;   // label, SQL relation text
};

// Measures the ledger of a model whose analysed SQL is `shape` and whose output table is
// `output` (SQL text, e.g. "staging"."x"). `errors` lists error relations found for it.
// `produced`: the rows the model's SQL produced in this build as DuckDB returned them (the
// runner's rows_affected), when known. Used only when it equals the table's rows (the table is
// exactly this build's output, not an incremental run's increment) and the counted flow is a
// pure unnest (no filter, dedup, aggregate, join or limit): its input, the list elements, is then
// the rows its SQL produced by SQL's own semantics, and the scan of every page that re-measures
// the lists is skipped (it was most of the ledger's time on a month of PNCP pages).
//
// `merge_keys`: the unique key of an incremental model that merges into its table. Its table keeps
// the rows of earlier runs that this run's SQL no longer produces (another period's rows when the
// SQL selects one period, a record gone upstream): when the equation does not balance on the
// table's rows, those rows (table rows whose key the model's SQL does not produce now) are
// counted as a `kept` line and the output term is the table's rows minus them. A merge that
// lost or duplicated rows still fails: only rows the SQL cannot produce are set aside.
ModelLedger account_model(FlowSql& sql, const ModelShape& shape, const std::string& output,
                          const std::vector<ErrorRelation>& errors,
                          std::optional<std::int64_t> produced = std::nullopt,
                          const std::vector<std::string>& merge_keys = {});

// The same for a declared shape.
ModelLedger account_declared(Connection& conn, const DeclaredAccounting& declared,
                             const std::string& output);

// The filter of `model` (its counted flow) that `candidate` complements: candidate is a plain
// filter over the same input whose WHERE holds NOT <that filter> (nullptr when none).
const Expr* complemented_filter(const ModelShape& model, const ModelShape& candidate);

}  // namespace baliza::lineage
