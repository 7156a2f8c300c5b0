#include "lineage/flow_sql.h"

#include "core/error.h"

namespace baliza::lineage {
namespace {

using json = nlohmann::json;

json select_star_from(const json& from_table) {
  return json{{"type", "SELECT_NODE"},
              {"modifiers", json::array()},
              {"cte_map", {{"map", json::array()}}},
              {"select_list", json::array({json{{"class", "STAR"},
                                                {"type", "STAR"},
                                                {"alias", ""},
                                                {"relation_name", ""},
                                                {"exclude_list", json::array()},
                                                {"replace_list", json::array()},
                                                {"columns", false},
                                                {"expr", nullptr},
                                                {"qualified_exclude_list", json::array()},
                                                {"rename_list", json::array()}}})},
              {"from_table", from_table},
              {"where_clause", nullptr},
              {"group_expressions", json::array()},
              {"group_sets", json::array()},
              {"aggregate_handling", "STANDARD_HANDLING"},
              {"having", nullptr},
              {"sample", nullptr},
              {"qualify", nullptr}};
}

std::string strip_prefix(std::string s, std::string_view prefix) {
  if (s.compare(0, prefix.size(), prefix) == 0) s.erase(0, prefix.size());
  return s;
}

}  // namespace

std::string FlowSql::relation(const RelationName& name) {
  return name.schema.empty() ? quote_identifier(name.table)
                             : quote_identifier(name.schema) + "." + quote_identifier(name.table);
}

std::string FlowSql::cte_sql(const Cte& cte) {
  auto it = cache_.find(&cte);
  if (it != cache_.end()) return it->second;
  std::string out = quote_identifier(cte.name);
  if (!cte.column_aliases.empty()) {
    out += "(";
    for (std::size_t i = 0; i < cte.column_aliases.size(); ++i)
      out += (i ? ", " : "") + quote_identifier(cte.column_aliases[i]);
    out += ")";
  }
  out += " AS (" + (cte.query ? query_sql(conn_, *cte.query->json) : std::string("SELECT 1")) + ")";
  return cache_[&cte] = out;
}

std::string FlowSql::with_clause(const Flow& flow) {
  if (flow.visible_ctes.empty()) return {};
  std::string out = "WITH ";
  for (std::size_t i = 0; i < flow.visible_ctes.size(); ++i)
    out += (i ? ", " : "") + cte_sql(*flow.visible_ctes[i]);
  return out + " ";
}

std::string FlowSql::from_item(const TableRef& table) {
  auto it = cache_.find(&table);
  if (it != cache_.end()) return it->second;
  return cache_[&table] =
             strip_prefix(query_sql(conn_, select_star_from(*table.json)), "SELECT * FROM ");
}

std::string FlowSql::from_json(const nlohmann::json& from_table) {
  return strip_prefix(query_sql(conn_, select_star_from(from_table)), "SELECT * FROM ");
}

std::string FlowSql::expr(const Expr& e) {
  auto it = cache_.find(&e);
  if (it != cache_.end()) return it->second;
  nlohmann::json unnamed = *e.json;  // "x AS y" is not an expression
  if (unnamed.is_object()) unnamed["alias"] = "";
  return cache_[&e] = expression_sql(conn_, unnamed);
}

std::string FlowSql::query(const Flow& flow) {
  if (flow.kind == FlowKind::kRelation) return "SELECT * FROM " + relation(flow.relation);
  if (!flow.query) {
    if (flow.table) return "SELECT * FROM " + from_item(*flow.table);
    throw failure("no SQL for a flow of this kind");
  }
  json node = *flow.query->json;
  node["cte_map"] = {{"map", json::array()}};  // its CTEs are in with_clause
  return with_clause(flow) + query_sql(conn_, node);
}

}  // namespace baliza::lineage
