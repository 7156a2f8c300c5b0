#include "transform/batched_build.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace baliza::transform {
namespace {

std::string temp_rel(const std::string& name) {
  return "temp." + quote_identifier(name);
}

std::int64_t count_of(Result& r) {
  return r.row_count() == 1 && r.column_count() == 1 && !r.is_null(0, 0) ? r.get_int64(0, 0) : 0;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Fills temp.<name>__baliza_batches(key, batch) and returns the number of slices.
std::int64_t plan_slices(Connection& conn, const std::string& name, const BatchedSpec& b) {
  std::string keys = temp_rel(name + "__baliza_keys");
  std::string batches = temp_rel(name + "__baliza_batches");
  std::string weight = b.weight.empty() ? "1" : "sum(" + quote_identifier(b.weight) + ")";
  conn.execute("CREATE OR REPLACE TEMP TABLE " + quote_identifier(name + "__baliza_keys") +
               " AS SELECT " + quote_identifier(b.key) + " AS key, " + weight +
               " AS weight FROM (" + b.input_sql + "\n) AS batch_input" +
               (b.where.empty() ? std::string() : "\nWHERE " + b.where) + "\nGROUP BY 1");
  Result nulls = conn.query("SELECT count(*) FILTER (WHERE key IS NULL) FROM " + keys);
  if (count_of(nulls) > 0) {
    conn.execute("DROP TABLE IF EXISTS " + keys);
    throw failure("batch_key '" + b.key + "' is NULL in some rows of batch_input '" + b.input_name +
                  "': those rows could never be in a batch; make the key non-null in " +
                  b.input_name + " (or filter such rows out there), or remove batch_size");
  }
  Result created = conn.query(
      "CREATE OR REPLACE TEMP TABLE " + quote_identifier(name + "__baliza_batches") +
      " AS WITH o AS (SELECT key, coalesce(sum(coalesce(weight, 0)) OVER (ORDER BY key ROWS "
      "BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS start FROM " +
      keys + ") SELECT key, (dense_rank() OVER (ORDER BY floor(start / " + number(b.size) +
      ")) - 1)::BIGINT AS batch FROM o");
  conn.execute("DROP TABLE IF EXISTS " + keys);
  Result n = conn.query("SELECT coalesce(max(batch) + 1, 0) FROM " + batches);
  return count_of(n);
}

// The keys of slice `batch` as a SQL list of literals: `'k1', 'k2'`. Literals rather than a
// subquery, so DuckDB pushes the filter down to the input's scans (through its joins).
std::string slice_keys(Connection& conn, const std::string& name, std::int64_t batch) {
  Result r = conn.query("SELECT key::VARCHAR FROM " + temp_rel(name + "__baliza_batches") +
                        " WHERE batch = " + std::to_string(batch) + " ORDER BY key");
  std::string out;
  for (std::size_t row = 0; row < r.row_count(); ++row) {
    if (!out.empty()) out += ", ";
    out += quote_literal(r.get_string(0, row));
  }
  return out;
}

void drop_temps(Connection& conn, const std::string& name) {
  for (const char* suffix : {"__baliza_batches", "__baliza_keys"}) {
    try {
      conn.execute("DROP TABLE IF EXISTS " + temp_rel(name + suffix));
    } catch (const Error&) {
      // best effort: temp tables go with the connection anyway
    }
  }
}

}  // namespace

std::string batch_filter(const std::string& key, const std::string& keys) {
  // An empty slice (a model whose input is empty) selects nothing.
  return keys.empty() ? std::string("false") : quote_identifier(key) + " IN (" + keys + ")";
}

MaterializeResult build_batched(Connection& conn, const std::string& schema,
                                const std::string& name, const SliceRenderer& render,
                                const BatchedSpec& batch, bool incremental,
                                const IncrementalSpec& spec, RelationCatalog* catalog) {
  if (!(batch.size > 0)) throw failure("batch_size must be a positive number");
  std::int64_t rows = 0;
  try {
    std::int64_t slices = plan_slices(conn, name, batch);
    if (incremental) {
      std::string action = "inserted";
      for (std::int64_t s = 0; s < slices; ++s) {
        std::string sql = render(batch_filter(batch.key, slice_keys(conn, name, s)));
        MaterializeResult m = build_incremental(conn, schema, name, sql, spec, catalog);
        rows += m.rows > 0 ? m.rows : 0;
        action = m.action;
      }
      drop_temps(conn, name);
      return {rows, action};
    }
    // From scratch: fill <name>__baliza_build slice by slice, then swap it in.
    std::string target = quote_identifier(schema) + "." + quote_identifier(name);
    std::string build_name = name + "__baliza_build";
    std::string build = quote_identifier(schema) + "." + quote_identifier(build_name);
    // Another worker may create the same schema at this moment: DuckDB reports a conflict.
    with_conflict_retry(
        [&] { conn.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema)); });
    try {
      for (std::int64_t s = 0; s < std::max<std::int64_t>(slices, 1); ++s) {
        // with no slice at all: an empty one, so the table gets its columns
        std::string sql = render(batch_filter(batch.key, slice_keys(conn, name, s)));
        Result r = conn.query(s == 0 ? "CREATE OR REPLACE TABLE " + build + " AS " + sql
                                     : "INSERT INTO " + build + " BY NAME " + sql);
        rows += count_of(r);
      }
      with_conflict_retry([&] {
        RelationKind old =
            catalog ? catalog->kind(schema, name) : relation_kind(conn, schema, name);
        conn.transaction([&] {
          if (old == RelationKind::kTable) conn.execute("DROP TABLE " + target);
          if (old == RelationKind::kView) conn.execute("DROP VIEW " + target);
          conn.execute("ALTER TABLE " + build + " RENAME TO " + quote_identifier(name));
        });
      });
    } catch (...) {
      try {
        conn.execute("DROP TABLE IF EXISTS " + build);
      } catch (const Error&) {
        // the original error is the one to report
      }
      throw;
    }
    if (catalog) catalog->set(schema, name, RelationKind::kTable);
    drop_temps(conn, name);
    return {rows, "created"};
  } catch (...) {
    drop_temps(conn, name);
    throw;
  }
}

}  // namespace baliza::transform
