// Bytes from PostgreSQL's hex text (`encode(bytea, 'hex')`): what the coordinator selects when
// it reads stored bodies back. Pure; a malformed digit reads as 0 (the caller's checks, such as
// zstd's frame checksum or a SHA-256, then refuse the bytes).
#pragma once

#include <string>

namespace baliza::coord {

inline std::string unhex(const std::string& hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
  };
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return out;
}

}  // namespace baliza::coord
