// A position in a project file, for error messages ("models/a.sql:3:5").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace baliza::transform {

// 1-based line and column; line 0 means "unknown".
struct SourcePos {
  int line = 0;
  int column = 0;
};

// "file:line:column", or just "file" when the position is unknown.
std::string format_pos(std::string_view file, SourcePos pos);

// Maps byte offsets of one text to line:column. Built once per text (one pass over it),
// each lookup is a binary search, so positions cost nothing until an error or a ref needs one.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  SourcePos at(std::size_t offset) const;

 private:
  std::vector<std::size_t> line_starts_;
};

}  // namespace baliza::transform
