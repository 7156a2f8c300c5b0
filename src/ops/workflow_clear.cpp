#include "ops/workflow_clear.h"

#include <algorithm>
#include <cctype>

#include "transform/text_util.h"

namespace baliza::ops {

const std::vector<std::string>& protected_schemas() {
  static const std::vector<std::string> schemas = {"meta", "lineage", "raw", "planning", "runtime"};
  return schemas;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool matches(const std::string& pattern, const RelationRef& r) {
  std::string p = lower(pattern);
  auto dot = p.find('.');
  if (dot == std::string::npos) return transform::glob_match(p, lower(r.name));
  return transform::glob_match(p.substr(0, dot), lower(r.schema)) &&
         transform::glob_match(p.substr(dot + 1), lower(r.name));
}

}  // namespace

std::vector<RelationRef> matching_relations(Connection& conn,
                                            const std::vector<std::string>& patterns) {
  Result rows = conn.query(
      "SELECT schema_name, table_name, false FROM duckdb_tables() "
      "WHERE database_name = current_database() AND NOT internal AND NOT temporary "
      "UNION ALL "
      "SELECT schema_name, view_name, true FROM duckdb_views() "
      "WHERE database_name = current_database() AND NOT internal AND NOT temporary "
      "ORDER BY 1, 2");
  std::vector<RelationRef> out;
  const auto& guarded = protected_schemas();
  for (std::size_t i = 0; i < rows.row_count(); ++i) {
    RelationRef r{rows.get_string(0, i), rows.get_string(1, i), rows.get_bool(2, i)};
    std::string schema = lower(r.schema);
    if (std::find(guarded.begin(), guarded.end(), schema) != guarded.end()) continue;
    if (schema == "information_schema" || schema == "pg_catalog") continue;
    for (const std::string& p : patterns) {
      if (matches(p, r)) {
        out.push_back(r);
        break;
      }
    }
  }
  return out;
}

void drop_relations(Connection& conn, const std::vector<RelationRef>& relations) {
  if (relations.empty()) return;
  conn.transaction([&] {
    for (bool views : {true, false}) {
      for (const RelationRef& r : relations) {
        if (r.is_view != views) continue;
        conn.execute(std::string("DROP ") + (r.is_view ? "VIEW" : "TABLE") + " IF EXISTS " +
                     quote_identifier(r.schema) + "." + quote_identifier(r.name));
      }
    }
  });
}

}  // namespace baliza::ops
