#include "db/text_table.h"

#include <cstdlib>

#include "core/error.h"

namespace baliza {

const std::string& TextTable::text(size_t col, size_t row) const {
  static const std::string kEmpty;
  const auto& cell = rows[row][col];
  return cell ? *cell : kEmpty;
}

std::int64_t TextTable::int64(size_t col, size_t row) const {
  const auto& cell = rows[row][col];
  if (!cell) return 0;
  return std::strtoll(cell->c_str(), nullptr, 10);
}

size_t TextTable::column(const std::string& name) const {
  for (size_t c = 0; c < names.size(); ++c) {
    if (names[c] == name) return c;
  }
  throw failure("the result has no column " + name);
}

TextTable to_text_table(Result& result, size_t max_rows) {
  TextTable table;
  size_t cols = result.column_count(), rows = result.row_count();
  for (size_t c = 0; c < cols; ++c) {
    table.names.push_back(result.column_name(c));
    table.types.push_back(result.column_type(c));
  }
  size_t kept = rows < max_rows ? rows : max_rows;
  table.truncated = kept < rows;
  table.rows.resize(kept);
  for (size_t r = 0; r < kept; ++r) {
    auto& line = table.rows[r];
    line.reserve(cols);
    for (size_t c = 0; c < cols; ++c) line.push_back(result.get_optional_string(c, r));
  }
  return table;
}

}  // namespace baliza
