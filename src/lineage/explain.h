// Trace (backward) and impact (forward) over a built project, on the row links (row_links.h).
//
// trace(): the rows of a model matching a predicate, then, step by step, the rows of every
// input that produced them (a model's inputs, down through seeds and sources to the raw store):
// per level the number of rows and a sample; through a row_number() dedup which version was
// kept (rank 1) and which it superseded; for an aggregation whose whole query is the group by,
// the model's own SQL re-run over the traced rows must give back the selected rows (counts and
// sums re-add) — a mismatch is reported and makes the trace fail. A model whose rows come from
// unnesting a JSON array of raw pages also lists each record's page (raw.api_requests: endpoint,
// URL, page, collected_at, payload_sha256) and position, and with show_json the record itself
// read back from raw.payloads.
//
// impact(): from rows of a relation (a raw page by sha256 prefix, a source table, a seed, a
// model), every downstream model's rows derived from them, with counts: through filters and
// joins the rows that use them, through a row_number() dedup only the keys whose kept version
// they are (an older version changes nothing), through a group by the groups they fall in.
// With a column (ImpactStart::column): only the models whose columns derive from that column
// (column_impact.h, over the project's column lineage) are followed, each level naming the
// columns that change; for a raw page the column is a JSON field of its records
// ("valorGlobal" or "data[].valorGlobal").
//
// Where a model is not traceable (a shape the SQL cannot invert, a view), the level says so and
// the result is marked incomplete (exit 1): nothing is guessed. Read-only: only SELECTs run.
// Errors: usage errors for an unknown model/relation or a predicate DuckDB rejects.
//
// Speed: each model's analysis (its SQL's shape and row links) comes from `cache` when one is
// given (analysis_cache.h: a long-lived process passes the same cache to every request; it
// follows a changed model SQL and a changed catalog), else it is made for this call. Impact
// derives row links only for the models the affected rows reach. Samples are in a fixed order
// (rowid; a raw level's records by page rowid and position), so equal requests over equal data
// give equal answers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "lineage/analysis_cache.h"
#include "transform/project.h"

namespace baliza::lineage {

struct ExplainLevel {
  int depth = 0;
  std::string relation;  // schema.table
  std::string kind;      // model, seed, source, raw page
  std::string via;       // how the rows above came from these (shape), "" at the start
  std::int64_t rows = 0;
  std::int64_t kept = -1, superseded = -1;          // dedup levels
  nlohmann::json sample = nlohmann::json::array();  // rows as JSON objects
  std::vector<std::string> notes;                   // checks, reasons it stops
  // impact --column: the columns of this model that change (column, how), and when a filter,
  // join or group key changes, why its rows may appear, disappear or move.
  std::vector<std::pair<std::string, std::string>> columns;
  std::string rows_shaped;
};

struct ExplainResult {
  std::vector<ExplainLevel> levels;
  bool complete = true;  // false when a step could not be followed or a check failed
  int exit_code() const { return complete ? 0 : 1; }
  nlohmann::json to_json() const;
  std::string to_text() const;
};

struct TraceOptions {
  std::string where;  // SQL predicate over the model's columns (or built from --key)
  int limit = 5;      // sample rows per level
  bool show_json = false;
};

// `model` is a model or seed name. Throws usage_error when it is unknown, not built, or the
// predicate selects nothing.
ExplainResult trace(Connection& conn, const transform::Project& project, const std::string& model,
                    const TraceOptions& options, AnalysisCache* cache = nullptr);

// The predicate selecting one row by the model's unique key (config unique_key, else its dedup
// or group keys): "numero_controle_pncp = '...'". Throws usage_error when it has no key.
std::string key_predicate(Connection& conn, const transform::Project& project,
                          const std::string& model, const std::string& value,
                          AnalysisCache* cache = nullptr);

struct ImpactStart {
  std::string page;      // sha256 prefix of a raw page
  std::string relation;  // a model/seed name or schema.table
  std::string where;     // predicate over `relation` (empty: all rows)
  std::string column;    // column of `relation`, or JSON field of the page's records ("": all)
};

struct ImpactOptions {
  int limit = 5;
};

ExplainResult impact(Connection& conn, const transform::Project& project, const ImpactStart& start,
                     const ImpactOptions& options, AnalysisCache* cache = nullptr);

}  // namespace baliza::lineage
