#include "transform/sql_error.h"

#include <cctype>

namespace baliza::transform {

std::string duckdb_message(const std::exception& e) {
  std::string m = e.what();
  std::size_t cut = m.find("\n  in SQL: ");
  return cut == std::string::npos ? m : m.substr(0, cut);
}

std::string error_location(const Node& node, const std::string& message, int prefix_lines) {
  // DuckDB quotes the statement as "LINE <n>: ..."; no regex needed (and <regex> draws
  // false -Wmaybe-uninitialized warnings from GCC 12 at -O1).
  for (std::size_t at = message.find("LINE "); at != std::string::npos;
       at = message.find("LINE ", at + 1)) {
    std::size_t digits = at + 5, end = digits;
    while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
    if (end == digits || end >= message.size() || message[end] != ':') continue;
    int line = std::stoi(message.substr(digits, end - digits)) - prefix_lines;
    if (line >= 1) return node.original_file_path + ":" + std::to_string(line);
    break;
  }
  return node.original_file_path;
}

}  // namespace baliza::transform
