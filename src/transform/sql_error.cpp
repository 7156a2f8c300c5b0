#include "transform/sql_error.h"

#include <regex>

namespace baliza::transform {

std::string duckdb_message(const std::exception& e) {
  std::string m = e.what();
  std::size_t cut = m.find("\n  in SQL: ");
  return cut == std::string::npos ? m : m.substr(0, cut);
}

std::string error_location(const Node& node, const std::string& message, int prefix_lines) {
  static const std::regex line_re("LINE ([0-9]+):");
  std::smatch m;
  if (std::regex_search(message, m, line_re)) {
    int line = std::stoi(m[1]) - prefix_lines;
    if (line >= 1) return node.original_file_path + ":" + std::to_string(line);
  }
  return node.original_file_path;
}

}  // namespace baliza::transform
