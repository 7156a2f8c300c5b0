#include "transform/catalog.h"

#include <cctype>
#include <map>

#include "core/clock.h"
#include "transform/artifacts.h"
#include "transform/relation.h"
#include "transform/template_database.h"

namespace baliza::transform {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Relation {
  std::string database, schema, name, type;
  nlohmann::json columns = nlohmann::json::object();
};

std::string text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

nlohmann::json catalog_json(const Project& project, Connection& conn,
                            const std::string& invocation_id) {
  // Every relation of the database (current catalog and attached ones), keyed by
  // lower(schema).lower(name) and lower(catalog).lower(schema).lower(name).
  QueryResult rows = run_template_query(
      conn,
      "select c.table_catalog, c.table_schema, c.table_name, t.table_type, c.column_name, "
      "c.ordinal_position, c.data_type, current_database() "
      "from information_schema.columns c join information_schema.tables t "
      "on t.table_catalog = c.table_catalog and t.table_schema = c.table_schema "
      "and t.table_name = c.table_name order by 1, 2, 3, 6");
  std::map<std::string, Relation> relations;
  std::string current;
  for (const auto& r : rows.rows) {
    current = text(r[7]);
    std::string key = lower(text(r[0])) + "." + lower(text(r[1])) + "." + lower(text(r[2]));
    Relation& rel = relations[key];
    rel.database = text(r[0]);
    rel.schema = text(r[1]);
    rel.name = text(r[2]);
    rel.type = text(r[3]) == "VIEW" ? "VIEW" : "BASE TABLE";
    std::string column = text(r[4]);
    rel.columns[column] = {{"type", text(r[6])},
                           {"index", r[5].is_number_integer() ? r[5].get<std::int64_t>() : 0},
                           {"name", column},
                           {"comment", nullptr}};
  }
  if (current.empty()) current = conn.scalar("select current_database()").value_or("memory");

  nlohmann::json nodes = nlohmann::json::object();
  nlohmann::json sources = nlohmann::json::object();
  for (const Node& n : project.nodes) {
    if (n.resource_type == ResourceType::kTest) continue;
    if (n.resource_type == ResourceType::kModel && n.config.materialized == "ephemeral") continue;
    std::string database = n.database.empty() ? current : n.database;
    std::string key =
        lower(database) + "." + lower(node_schema(n)) + "." + lower(node_identifier(n));
    auto it = relations.find(key);
    if (it == relations.end()) continue;
    const Relation& rel = it->second;
    nlohmann::json stats = nlohmann::json::object();
    stats["has_stats"] = {{"id", "has_stats"},
                          {"label", "Has Stats?"},
                          {"value", false},
                          {"include", false},
                          {"description", "Indicates whether there are statistics for this table"}};
    if (rel.type == "BASE TABLE") {
      std::string count =
          conn.scalar("select count(*) from " + quote_identifier(rel.database) + "." +
                      quote_identifier(rel.schema) + "." + quote_identifier(rel.name))
              .value_or("0");
      stats["row_count"] = {{"id", "row_count"},
                            {"label", "Row Count"},
                            {"value", std::stod(count)},
                            {"include", true},
                            {"description", "Rows in the table"}};
      stats["has_stats"]["value"] = true;
    }
    nlohmann::json entry = {{"metadata",
                             {{"type", rel.type},
                              {"schema", rel.schema},
                              {"name", rel.name},
                              {"database", rel.database},
                              {"comment", nullptr},
                              {"owner", nullptr}}},
                            {"columns", rel.columns},
                            {"stats", stats},
                            {"unique_id", n.unique_id}};
    (n.resource_type == ResourceType::kSource ? sources : nodes)[n.unique_id] = std::move(entry);
  }
  return {{"metadata",
           {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/catalog/v1.json"},
            {"dbt_version", "baliza-" BALIZA_VERSION},
            {"generated_at", iso_timestamp(utc_timestamp_now())},
            {"invocation_id", invocation_id}}},
          {"nodes", std::move(nodes)},
          {"sources", std::move(sources)},
          {"errors", nullptr}};
}

}  // namespace baliza::transform
