// Comparing text without regard to ASCII letter case, as SQL identifiers (DuckDB folds them)
// and HTTP tokens (content codings, header names) are compared. Only 'A'..'Z' and 'a'..'z'
// fold; every other byte, UTF-8 included, must be equal. Used by lineage/ (identifiers) and
// ui/ (Accept-Encoding), which must not each keep a copy.
#pragma once

#include <string_view>

namespace baliza {

// True when `a` and `b` have the same length and equal bytes after folding ASCII letters.
// Pure: no allocation, no locale, no exceptions, safe from any thread.
constexpr bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace baliza
