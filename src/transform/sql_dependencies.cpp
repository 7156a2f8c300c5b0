#include "transform/sql_dependencies.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "transform/compiler.h"
#include "transform/relation.h"

namespace baliza::transform {
namespace {

constexpr std::size_t kBatchSize = 500;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void walk(const nlohmann::json& j, ParsedSql& out, std::unordered_set<std::string>& ctes) {
  if (j.is_array()) {
    for (const auto& item : j) walk(item, out, ctes);
    return;
  }
  if (!j.is_object()) return;
  auto type = j.find("type");
  if (type != j.end() && type->is_string() && *type == "BASE_TABLE") {
    out.tables.push_back({j.value("schema_name", ""), j.value("table_name", "")});
  }
  auto cte_map = j.find("cte_map");
  if (cte_map != j.end() && cte_map->is_object()) {
    for (const auto& entry : cte_map->value("map", nlohmann::json::array()))
      if (entry.contains("key") && entry["key"].is_string()) ctes.insert(lower(entry["key"]));
  }
  for (const auto& [key, value] : j.items()) {
    if (value.is_structured()) walk(value, out, ctes);
  }
}

}  // namespace

ParsedSql parse_serialized_sql(std::string_view json) {
  ParsedSql out;
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded()) {
    out.error = "cannot read DuckDB's parse tree";
    return out;
  }
  if (doc.value("error", false)) {
    out.error = doc.value("error_message", std::string("syntax error"));
    if (auto p = doc.find("position"); p != doc.end()) {
      if (p->is_string()) out.error_offset = std::stoull(p->get<std::string>());
      if (p->is_number()) out.error_offset = p->get<std::size_t>();
    }
    return out;
  }
  std::unordered_set<std::string> ctes;
  walk(doc["statements"], out, ctes);
  std::erase_if(out.tables, [&](const TableName& t) {
    return t.schema.empty() && ctes.count(lower(t.table)) > 0;
  });
  return out;
}

std::vector<ParsedSql> parse_sql_batch(Connection& conn, const std::vector<std::string>& sqls) {
  std::vector<ParsedSql> out(sqls.size());
  for (std::size_t start = 0; start < sqls.size(); start += kBatchSize) {
    std::size_t end = std::min(sqls.size(), start + kBatchSize);
    std::string query = "SELECT i, json_serialize_sql(s) FROM (VALUES ";
    for (std::size_t i = start; i < end; ++i) {
      if (i > start) query += ",";
      query += '(';
      query += std::to_string(i);
      query += ',';
      query += quote_literal(sqls[i]);
      query += ')';
    }
    query += ") AS t(i, s)";
    Result r = conn.query(query);
    for (std::size_t row = 0; row < r.row_count(); ++row) {
      auto i = static_cast<std::size_t>(r.get_int64(0, row));
      out[i] = parse_serialized_sql(r.get_string(1, row));
    }
  }
  return out;
}

PlainSqlEdges add_plain_sql_dependencies(const Project& project, Dag& dag, Connection& conn) {
  Compiler compiler(project);
  std::unordered_map<std::string, std::size_t> by_relation;
  std::vector<std::size_t> models;
  std::vector<std::string> sqls;
  for (std::size_t i = 0; i < dag.size(); ++i) {
    const Node& n = dag.node(i);
    bool relation =
        n.resource_type == ResourceType::kSeed || n.resource_type == ResourceType::kSource ||
        (n.resource_type == ResourceType::kModel && n.config.materialized != "ephemeral");
    if (relation) by_relation.emplace(lower(node_schema(n) + "." + node_identifier(n)), i);
    if (n.resource_type == ResourceType::kModel && n.tmpl) {
      models.push_back(i);
      sqls.push_back(compiler.render(n, false));
    }
  }
  PlainSqlEdges result;
  std::vector<ParsedSql> parsed = parse_sql_batch(conn, sqls);
  for (std::size_t k = 0; k < models.size(); ++k) {
    std::size_t child = models[k];
    if (parsed[k].error) {
      result.errors.emplace_back(child, std::move(parsed[k]));
      continue;
    }
    for (const TableName& t : parsed[k].tables) {
      std::string key =
          lower((t.schema.empty() ? std::string(kDefaultSchema) : t.schema) + "." + t.table);
      auto it = by_relation.find(key);
      if (it == by_relation.end() || it->second == child) continue;
      const auto& parents = dag.parents(child);
      if (std::binary_search(parents.begin(), parents.end(), it->second)) continue;
      dag.add_dependency(dag.id(child), dag.id(it->second));
      ++result.added;
    }
  }
  return result;
}

}  // namespace baliza::transform
