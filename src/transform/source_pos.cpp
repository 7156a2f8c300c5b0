#include "transform/source_pos.h"

#include <algorithm>
#include <cstring>

namespace baliza::transform {

std::string format_pos(std::string_view file, SourcePos pos) {
  std::string out(file);
  if (pos.line > 0) {
    out += ':';
    out += std::to_string(pos.line);
    out += ':';
    out += std::to_string(pos.column);
  }
  return out;
}

LineIndex::LineIndex(std::string_view text) {
  line_starts_.push_back(0);
  const char* begin = text.data();
  const char* end = begin + text.size();
  for (const char* p = begin; p < end;) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (nl == nullptr) break;
    p = static_cast<const char*>(nl) + 1;
    line_starts_.push_back(static_cast<std::size_t>(p - begin));
  }
}

SourcePos LineIndex::at(std::size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  std::size_t line = static_cast<std::size_t>(it - line_starts_.begin());  // >= 1
  std::size_t column = offset - line_starts_[line - 1] + 1;
  return SourcePos{static_cast<int>(line), static_cast<int>(column)};
}

}  // namespace baliza::transform
