// Batched builds: a table or incremental model that reads one large input a slice at a time,
// so the memory a build needs is bounded by a slice, not by the whole input (the PNCP staging
// models parse raw pages: a month of pages at once needs gigabytes, a slice of them megabytes).
//
// Model config (all four on the model; see docs in CONTRIBUTING.md, "Batched builds"):
//   batch_input   the name of a model the model ref()s: the input that is sliced
//   batch_key     a column of batch_input; a slice is a set of its values
//   batch_weight  optional numeric column of batch_input (e.g. a payload's size in bytes);
//                 a key weighs the sum over its rows; without it every key weighs 1
//   batch_size    the weight of a slice, give or take one key: keys in key order, a key goes to
//                 slice floor(weight of the keys before it / batch_size) (empty slices skipped),
//                 so a key heavier than batch_size may be a slice alone
//   batch_where   optional SQL condition on batch_input's columns, a template rendered like the
//                 model (this, var, is_incremental, macros): only the rows it accepts are
//                 sliced. Give it the model's own condition on its input (e.g. "the pages not
//                 staged yet"), so an incremental run with nothing new runs no slice at all.
//
// How it runs, on one connection:
//  1. Domain: the distinct keys of batch_input (where batch_where) with their weights, read once,
//  cut
//     into slices (temp table <name>__baliza_batches). A NULL key is an error (its rows could
//     never be in a slice).
//  2. Per slice, the model's SQL is rendered with every ref to batch_input as
//     `(SELECT * FROM <input> WHERE <key> IN ('k1', 'k2', ...))` (batch_filter(): literals, so
//     DuckDB pushes the filter down to the input's own scans, through its joins), and runs.
//     - incremental model whose table exists (no --full-refresh): each slice is one
//       build_incremental (its own transaction). An interrupted build keeps the slices done;
//       an incremental model selects what is not built yet, so the next run goes on from there.
//     - otherwise (table, first build, --full-refresh): the slices fill
//       <schema>.<name>__baliza_build; one transaction at the end replaces the target by it.
//       On failure it is dropped: the previous table stays, untouched.
// Contract for the model: each output row comes from rows of exactly one key of batch_input
// (a per-page parse, say). A row built from no input row would be produced once per slice.
// Errors: baliza::Error (exit 1) with DuckDB's message or the NULL-key explanation. Not
// thread-safe per connection (temp tables are the connection's); different connections may
// build different models at the same time.
#pragma once

#include <functional>
#include <string>

#include "db/database.h"
#include "transform/materialize.h"

namespace baliza::transform {

struct BatchedSpec {
  std::string input_sql;   // a SELECT returning every row of batch_input
  std::string where;       // rendered batch_where; empty: every row
  std::string input_name;  // for messages
  std::string key;         // column of the input
  std::string weight;      // column of the input; empty: 1 per key
  double size = 0;         // > 0
};

// The SQL condition a slice is read through: `"<key>" IN (<keys>)`, `false` for no keys.
std::string batch_filter(const std::string& key, const std::string& keys);

// The model's SQL with its refs to batch_input filtered by `filter` (a batch_filter()).
using SliceRenderer = std::function<std::string(const std::string& filter)>;

// Builds model `name` slice by slice, each slice's SQL from `render`.
// `incremental`: the target exists and is updated with `spec` per slice; otherwise it is built
// from scratch and swapped in at the end.
MaterializeResult build_batched(Connection& conn, const std::string& schema,
                                const std::string& name, const SliceRenderer& render,
                                const BatchedSpec& batch, bool incremental,
                                const IncrementalSpec& spec, RelationCatalog* catalog);

}  // namespace baliza::transform
