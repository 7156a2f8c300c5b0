#include "transform/python_model.h"

#include <regex>

namespace baliza::transform {
namespace {

// 'text' or "text" -> text, as a Jinja string literal.
std::string jinja_string(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

bool is_python_model_path(const std::string& path) {
  return path.size() > 3 && path.compare(path.size() - 3, 3, ".py") == 0;
}

std::string python_model_template(const std::string& source, const std::string& file) {
  static const std::regex kRef(
      R"(dbt\s*\.\s*ref\s*\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]+)\3\s*)?[,)])");
  static const std::regex kSource(
      R"(dbt\s*\.\s*source\s*\(\s*(['"])([^'"]+)\1\s*,\s*(['"])([^'"]+)\3\s*\))");
  static const std::regex kMaterialized(
      R"(dbt\s*\.\s*config\s*\([^)]*materialized\s*=\s*(['"])([a-z_]+)\1)");
  std::string materialized = "table";
  std::string body;
  std::size_t start = 0;
  while (start <= source.size()) {
    std::size_t end = source.find('\n', start);
    std::string line =
        source.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (std::sregex_iterator it(line.begin(), line.end(), kRef), stop; it != stop; ++it) {
      const std::smatch& m = *it;
      body += m[4].matched ? "{{ ref(" + jinja_string(m[2]) + ", " + jinja_string(m[4]) + ") }}"
                           : "{{ ref(" + jinja_string(m[2]) + ") }}";
    }
    for (std::sregex_iterator it(line.begin(), line.end(), kSource), stop; it != stop; ++it) {
      body += "{{ source(" + jinja_string((*it)[2]) + ", " + jinja_string((*it)[4]) + ") }}";
    }
    if (std::smatch m; std::regex_search(line, m, kMaterialized)) materialized = m[2];
    if (end == std::string::npos) break;
    body += '\n';
    start = end + 1;
  }
  std::string message = file +
                        " is a dbt Python model: Baliza runs SQL models only (it has no Python "
                        "runtime), so it is not built and the nodes that depend on it are "
                        "skipped; rewrite it as SQL, or build it with dbt and read its table as "
                        "a source";
  std::string literal = "'";
  for (char c : message) {
    literal += c;
    if (c == '\'') literal += '\'';
  }
  literal += "'";
  if (materialized != "incremental") materialized = "table";
  // DuckDB's error() raises when the statement runs, never while it is planned: parse,
  // compile and lineage see a one-column SELECT, a build fails on this model only.
  return "{{ config(materialized=" + jinja_string(materialized) + ") }}select error(" + literal +
         ") as python_model{% if false %}" + body + "{% endif %}\n";
}

}  // namespace baliza::transform
