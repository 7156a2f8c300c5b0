#include "core/ascii_digits.h"

namespace baliza {

std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t count) noexcept {
  if (count == 0 || count > 9 || pos > text.size() || count > text.size() - pos) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace baliza
