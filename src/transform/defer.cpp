#include "transform/defer.h"

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "transform/materialize.h"
#include "transform/relation.h"

namespace baliza::transform {

namespace {

bool deferrable(const Node& n) {
  switch (n.resource_type) {
    case ResourceType::kModel:
      return n.config.materialized != "ephemeral";
    case ResourceType::kSeed:
    case ResourceType::kSnapshot:
      return true;
    default:
      return false;
  }
}

std::string text_of(const nlohmann::json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::map<std::string, std::string> read_state_relations(const std::filesystem::path& manifest) {
  std::ifstream in(manifest, std::ios::binary);
  if (!in) {
    throw usage_error("cannot read --state manifest " + manifest.string() +
                      "; point --state at the target/ folder (or manifest.json) of the run to "
                      "defer to");
  }
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("nodes") ||
      !doc["nodes"].is_object()) {
    throw usage_error(manifest.string() + " is not a manifest.json (no nodes)");
  }
  std::map<std::string, std::string> out;
  for (const auto& [id, node] : doc["nodes"].items()) {
    if (!node.is_object()) continue;
    std::string type = text_of(node, "resource_type");
    if (type != "model" && type != "seed" && type != "snapshot") continue;
    std::string relation = text_of(node, "relation_name");
    if (relation.empty()) {
      std::string schema = text_of(node, "schema");
      std::string alias = text_of(node, "alias");
      if (alias.empty()) alias = text_of(node, "name");
      if (schema.empty() || alias.empty()) continue;  // an ephemeral model: no relation
      std::string database = text_of(node, "database");
      relation = (database.empty() ? "" : quote_identifier(database) + ".") +
                 quote_identifier(schema) + "." + quote_identifier(alias);
    }
    out[id] = relation;
  }
  return out;
}

std::vector<std::string> apply_deferral(Project& project, const Dag& dag,
                                        const std::vector<std::size_t>& selected,
                                        const DeferOptions& options, Connection& conn) {
  std::map<std::string, std::string> state = read_state_relations(options.state_manifest);
  std::set<std::size_t> chosen(selected.begin(), selected.end());
  std::unique_ptr<RelationCatalog> catalog;
  std::vector<std::string> out;
  project.deferred.clear();
  for (std::size_t i = 0; i < dag.size(); ++i) {
    const Node& n = dag.node(i);
    if (chosen.count(i) || !deferrable(n)) continue;
    auto it = state.find(n.unique_id);
    if (it == state.end()) continue;
    if (!options.favor_state) {
      // A node of another catalog (a database config) is looked up by DuckDB itself.
      if (!n.database.empty()) {
        try {
          conn.query("SELECT * FROM " + relation_sql(n) + " LIMIT 0");
          continue;
        } catch (const Error&) {
        }
      } else {
        if (!catalog) catalog = RelationCatalog::read(conn);
        if (catalog->kind(node_schema(n), node_identifier(n)) != RelationKind::kNone) continue;
      }
    }
    project.deferred[n.unique_id] = it->second;
    out.push_back(n.unique_id);
  }
  return out;
}

}  // namespace baliza::transform
