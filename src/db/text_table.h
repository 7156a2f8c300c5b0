// A query result copied out of DuckDB as text: column names, DuckDB types, and rows of
// optional text cells (nullopt = SQL NULL). It is what travels through the read socket
// (db/read_socket.h) and what every Reader returns, so a command prints the same thing whether
// it read the file itself or asked the process that holds it.
//
// A TextTable is a plain value: copyable, no DuckDB handles, usable from any thread.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"

namespace baliza {

struct TextTable {
  std::vector<std::string> names;
  std::vector<duckdb_type> types;
  std::vector<std::vector<std::optional<std::string>>> rows;
  bool truncated = false;  // more rows existed than the reader was asked for

  size_t column_count() const { return names.size(); }
  size_t row_count() const { return rows.size(); }
  bool is_null(size_t col, size_t row) const { return !rows[row][col].has_value(); }
  // The cell as text ("" for NULL).
  const std::string& text(size_t col, size_t row) const;
  // The cell as an integer (0 for NULL or text that is not a number).
  std::int64_t int64(size_t col, size_t row) const;
  // The index of a column by name; throws a failure naming the column when it is missing.
  size_t column(const std::string& name) const;
};

// Copies at most max_rows rows of result (every row by default); sets truncated when more existed.
TextTable to_text_table(Result& result, size_t max_rows = SIZE_MAX);

}  // namespace baliza
