// The full contents of a DuckDB file as text, for comparing two states of a database: every
// table's rows (sorted, every column cast to text) and every view's definition, relation by
// relation in name order. Opens the file itself (read-only): no other process may hold it.
#pragma once

#include <string>

#include "db/database.h"

namespace baliza::testing {

// `schema_filter`: an SQL condition on schema_name restricting what is dumped ("" for all).
inline std::string dump_database(const std::string& path, const std::string& schema_filter = "") {
  Connection conn(Database::open(path, {.read_only = true}));
  std::string filter = schema_filter.empty() ? "" : " AND (" + schema_filter + ")";
  Result rels = conn.query(
      "SELECT schema_name, table_name, 'table' FROM duckdb_tables() WHERE NOT temporary" + filter +
      " UNION ALL SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal AND "
      "NOT temporary" +
      filter + " ORDER BY 1, 2");
  std::string out;
  for (size_t i = 0; i < rels.row_count(); ++i) {
    std::string name =
        quote_identifier(rels.get_string(0, i)) + "." + quote_identifier(rels.get_string(1, i));
    out += "== " + name + "\n";
    if (rels.get_string(2, i) != "table") {
      out += rels.get_string(2, i) + "\n";
      continue;
    }
    Result rows = conn.query("SELECT * FROM " + name + " ORDER BY ALL");
    for (size_t r = 0; r < rows.row_count(); ++r) {
      for (size_t c = 0; c < rows.column_count(); ++c) {
        out += (rows.is_null(c, r) ? std::string("NULL") : rows.get_string(c, r)) + "|";
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace baliza::testing
