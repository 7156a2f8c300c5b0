#include "transform/sql_dependencies.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <simdjson.h>

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

std::string_view string_field(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  if (object[key].get(value) != simdjson::SUCCESS) return {};
  return value;
}

void walk(simdjson::dom::element e, ParsedSql& out, std::unordered_set<std::string>& ctes) {
  simdjson::dom::array array;
  if (e.get(array) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : array) walk(item, out, ctes);
    return;
  }
  simdjson::dom::object object;
  if (e.get(object) != simdjson::SUCCESS) return;
  if (string_field(object, "type") == "BASE_TABLE") {
    out.tables.push_back({std::string(string_field(object, "schema_name")),
                          std::string(string_field(object, "table_name"))});
  }
  simdjson::dom::object cte_map;
  simdjson::dom::array cte_entries;
  if (object["cte_map"].get(cte_map) == simdjson::SUCCESS &&
      cte_map["map"].get(cte_entries) == simdjson::SUCCESS) {
    for (simdjson::dom::element entry : cte_entries) {
      simdjson::dom::object fields;
      if (entry.get(fields) != simdjson::SUCCESS) continue;
      std::string_view key = string_field(fields, "key");
      if (!key.empty()) ctes.insert(lower(std::string(key)));
    }
  }
  for (simdjson::dom::key_value_pair field : object) {
    if (field.value.is_array() || field.value.is_object()) walk(field.value, out, ctes);
  }
}

}  // namespace

ParsedSql parse_serialized_sql(std::string_view json) {
  ParsedSql out;
  // One parser per thread: it keeps its buffers between documents.
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  simdjson::dom::object doc;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS || root.get(doc) != simdjson::SUCCESS) {
    out.error = "cannot read DuckDB's parse tree";
    return out;
  }
  bool error = false;
  if (doc["error"].get(error) == simdjson::SUCCESS && error) {
    std::string_view message = string_field(doc, "error_message");
    out.error = message.empty() ? std::string("syntax error") : std::string(message);
    std::string_view text = string_field(doc, "position");
    std::uint64_t number = 0;
    if (!text.empty() &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      out.error_offset = std::stoull(std::string(text));
    else if (doc["position"].get(number) == simdjson::SUCCESS)
      out.error_offset = static_cast<std::size_t>(number);
    return out;
  }
  std::unordered_set<std::string> ctes;
  simdjson::dom::element statements;
  if (doc["statements"].get(statements) == simdjson::SUCCESS) walk(statements, out, ctes);
  std::erase_if(out.tables, [&](const TableName& t) {
    return t.schema.empty() && ctes.count(lower(t.table)) > 0;
  });
  return out;
}

std::vector<ParsedSql> parse_sql_batch(Connection& conn, const std::vector<std::string>& sqls) {
  std::vector<ParsedSql> out(sqls.size());
  for (std::size_t start = 0; start < sqls.size(); start += kBatchSize) {
    std::size_t end = std::min(sqls.size(), start + kBatchSize);
    std::string query =
        "SELECT i, json_serialize_sql(s, skip_null := true, skip_empty := true) FROM (VALUES ";
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
      // A template that needs the database (run_query, dbt_utils.get_column_values on a seed
      // not loaded yet) cannot render before the build: it gets no plain-SQL edges here, and
      // its error, if it still has one, is reported when it compiles or runs (as in dbt).
      std::string sql;
      try {
        sql = compiler.render(n, false);
      } catch (const Error&) {
        continue;
      }
      models.push_back(i);
      sqls.push_back(std::move(sql));
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
