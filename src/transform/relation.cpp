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

std::string relation_sql(const Node& node) {
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
