#include "transform/relation.h"

#include "db/database.h"

namespace baliza::transform {

std::string node_schema(const Node& node) {
  if (node.resource_type == ResourceType::kSource || !node.schema.empty()) return node.schema;
  return node.config.schema.empty() ? kDefaultSchema : node.config.schema;
}

std::string node_identifier(const Node& node) {
  if (node.resource_type == ResourceType::kSource || !node.identifier.empty())
    return node.identifier;
  return node.config.alias.empty() ? node.name : node.config.alias;
}

namespace {

// dbt-duckdb's external_location with {name}, {identifier}, {schema} filled in: a path (read by
// DuckDB's replacement scan) or, when it has parentheses, a table function call as written.
std::string external_location_sql(const Node& node, const std::string& pattern) {
  std::string loc = pattern;
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"{name}", node.name},
                                   {"{identifier}", node.identifier},
                                   {"{schema}", node.schema},
                                   {"{source_name}", node.source_name}}) {
    for (std::size_t at; (at = loc.find(key)) != std::string::npos;)
      loc.replace(at, key.size(), value);
  }
  return loc.find('(') != std::string::npos ? loc : quote_literal(loc);
}

}  // namespace

std::string relation_sql(const Node& node) {
  if (node.resource_type == ResourceType::kSource && node.source_extra.is_object()) {
    auto it = node.source_extra.find("external_location");
    if (it != node.source_extra.end() && it->is_string())
      return external_location_sql(node, it->get<std::string>());
  }
  if (!node.database.empty())
    return quote_identifier(node.database) + "." + quote_identifier(node_schema(node)) + "." +
           quote_identifier(node_identifier(node));
  return quote_identifier(node_schema(node)) + "." + quote_identifier(node_identifier(node));
}

std::string relation_label(const Node& node) {
  return node_schema(node) + "." + node_identifier(node);
}

std::string ephemeral_cte_name(const Node& node) {
  return "__dbt__cte__" + node.name;
}

}  // namespace baliza::transform
