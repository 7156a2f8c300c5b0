#include "transform/artifacts.h"

#include <fstream>

#include "core/clock.h"
#include "core/error.h"
#include "transform/relation.h"
#include "transform/state.h"
#include "transform/template_macro.h"
#include "transform/text_util.h"

namespace baliza::transform {
namespace {

constexpr const char* kManifestSchema = "https://schemas.getdbt.com/dbt/manifest/v12.json";
constexpr const char* kRunResultsSchema = "https://schemas.getdbt.com/dbt/run-results/v6.json";

nlohmann::json metadata(const char* schema, const std::string& invocation_id) {
  return {{"dbt_schema_version", schema},
          {"dbt_version", "baliza-" BALIZA_VERSION},
          {"generated_at", iso_timestamp(utc_timestamp_now())},
          {"invocation_id", invocation_id},
          {"adapter_type", "duckdb"}};
}

nlohmann::json columns_json(const Node& n) {
  nlohmann::json out = nlohmann::json::object();
  for (const ColumnSpec& c : n.columns) {
    out[c.name] = {
        {"name", c.name},
        {"description", c.description},
        {"data_type", c.data_type.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.data_type)},
        {"meta", c.meta.is_null() ? nlohmann::json::object() : c.meta},
        {"tags", nlohmann::json::array()}};
  }
  return out;
}

std::string macro_id(const Project& project, const std::string& name) {
  return "macro." + project.name() + "." + name;
}

// manifest `macros`: one small entry per macro of the project.
nlohmann::json macros_json(const Project& project) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, m] : project.macros->all()) {
    std::string id = macro_id(project, name);
    out[id] = {{"unique_id", id},
               {"name", name},
               {"resource_type", "macro"},
               {"package_name", project.name()},
               {"original_file_path", m->file},
               {"macro_sql", m->sql}};
  }
  return out;
}

nlohmann::json node_json(const Project& project, const Dag& dag, std::size_t i,
                         const std::map<std::string, std::string>& compiled) {
  const Node& n = dag.node(i);
  nlohmann::json parents = nlohmann::json::array();
  for (std::size_t p : dag.parents(i)) parents.push_back(dag.id(p));
  nlohmann::json macros = nlohmann::json::array();
  if (n.tmpl) {
    for (const std::string& name : n.tmpl->macros()) macros.push_back(macro_id(project, name));
  }
  nlohmann::json j = {
      {"unique_id", n.unique_id},
      {"name", n.name},
      {"resource_type", std::string(to_string(n.resource_type))},
      {"package_name", n.package_name},
      {"path", n.path},
      {"original_file_path", n.original_file_path},
      {"patch_path", n.patch_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.patch_path)},
      {"fqn", n.fqn},
      {"database", nullptr},
      {"schema", node_schema(n)},
      {"alias", node_identifier(n)},
      {"relation_name", n.resource_type == ResourceType::kTest ? nlohmann::json(nullptr)
                                                               : nlohmann::json(relation_sql(n))},
      {"description", n.description},
      {"config", n.config.to_json()},
      {"tags", n.config.tags},
      {"meta", n.meta.is_null() ? nlohmann::json::object() : n.meta},
      {"columns", columns_json(n)},
      {"checksum", {{"name", "sha256"}, {"checksum", n.checksum}}},
      {"depends_on", {{"macros", std::move(macros)}, {"nodes", parents}}},
      // Baliza's state:modified checksum (transform/state.h); unrendered_config is the one
      // free-form object dbt's schema allows on every node and source.
      {"unrendered_config", {{"baliza_state_checksum", state_checksum(n, project.vars)}}},
  };
  if (n.resource_type == ResourceType::kSource) {
    // dbt's SourceDefinition: no alias, checksum nor depends_on; description of the source.
    j.erase("alias");
    j.erase("checksum");
    j.erase("depends_on");
    j["source_name"] = n.source_name;
    j["identifier"] = n.identifier;
    j["source_description"] = n.source_extra.value("source_description", "");
    j["loader"] = n.source_extra.value("loader", "");
    j["database"] = n.database.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.database);
    if (auto it = n.source_extra.find("loaded_at_field");
        it != n.source_extra.end() && it->is_string())
      j["loaded_at_field"] = *it;
    if (auto it = n.source_extra.find("freshness"); it != n.source_extra.end() && it->is_object())
      j["freshness"] = *it;
    return j;
  }
  if (n.resource_type == ResourceType::kSeed) {
    // dbt's Seed: no language, compiled fields, nor node dependencies.
    j["raw_code"] = "";
    j["depends_on"].erase("nodes");
    j["root_path"] = project.root;
    return j;
  }
  j["raw_code"] = n.raw_code;
  j["language"] = n.language;
  if (auto it = compiled.find(n.unique_id); it != compiled.end()) {
    j["compiled"] = true;
    j["compiled_code"] = it->second;
  } else {
    j["compiled"] = false;
  }
  if (n.is_generic_test) {
    j["test_metadata"] = {{"name", n.test_metadata.test_name},
                          {"kwargs", n.test_metadata.kwargs.is_null() ? nlohmann::json::object()
                                                                      : n.test_metadata.kwargs}};
    if (!n.test_metadata.package.empty())
      j["test_metadata"]["namespace"] = n.test_metadata.package;  // dbt's TestMetadata.namespace
    if (!n.test_metadata.column_name.empty()) j["column_name"] = n.test_metadata.column_name;
    j["attached_node"] = n.attached_node;
  }
  return j;
}

nlohmann::json string_map(const std::map<std::string, std::vector<std::string>>& m) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

}  // namespace

std::string iso_timestamp(const std::string& utc) {
  std::string out = utc;
  if (out.size() > 10 && out[10] == ' ') out[10] = 'T';
  return out + "Z";
}

nlohmann::json manifest_json(const Project& project, const Dag& dag,
                             const std::map<std::string, std::string>& compiled,
                             const std::string& invocation_id) {
  nlohmann::json nodes = nlohmann::json::object();
  nlohmann::json sources = nlohmann::json::object();
  for (std::size_t i = 0; i < dag.size(); ++i) {
    const Node& n = dag.node(i);
    (n.resource_type == ResourceType::kSource ? sources : nodes)[n.unique_id] =
        node_json(project, dag, i, compiled);
  }
  nlohmann::json doc = {{"metadata", metadata(kManifestSchema, invocation_id)},
                        {"nodes", std::move(nodes)},
                        {"sources", std::move(sources)},
                        {"macros", macros_json(project)},
                        {"exposures", nlohmann::json::object()},
                        {"metrics", nlohmann::json::object()},
                        {"disabled", nlohmann::json::object()},
                        {"parent_map", string_map(dag.parent_map())},
                        {"child_map", string_map(dag.child_map())},
                        // Required by manifest v12; Baliza has none of these.
                        {"docs", nlohmann::json::object()},
                        {"groups", nlohmann::json::object()},
                        {"selectors", nlohmann::json::object()},
                        {"group_map", nlohmann::json::object()},
                        {"saved_queries", nlohmann::json::object()},
                        {"semantic_models", nlohmann::json::object()},
                        {"unit_tests", nlohmann::json::object()}};
  doc["metadata"]["project_name"] = project.name();
  return doc;
}

nlohmann::json run_results_json(const RunSummary& summary, const std::string& command_line,
                                const Project* project) {
  nlohmann::json results = nlohmann::json::array();
  for (const NodeResult& r : summary.results) {
    nlohmann::json relation = nullptr;
    const Node* n = project != nullptr ? project->find(r.unique_id) : nullptr;
    if (n != nullptr && n->resource_type != ResourceType::kTest &&
        !(n->resource_type == ResourceType::kModel && n->config.materialized == "ephemeral"))
      relation = relation_sql(*n);
    nlohmann::json timing = nlohmann::json::array();
    if (!r.started_at.empty()) {
      timing.push_back({{"name", "execute"},
                        {"started_at", iso_timestamp(r.started_at)},
                        {"completed_at", iso_timestamp(r.completed_at)}});
    }
    nlohmann::json adapter = nlohmann::json::object();
    if (r.rows_affected >= 0)
      adapter = {{"_message", r.message}, {"rows_affected", r.rows_affected}};
    results.push_back(
        {{"unique_id", r.unique_id},
         {"status", r.status},
         {"timing", timing},
         {"thread_id", "Thread-" + std::to_string(r.thread_id)},
         {"execution_time", r.execution_time},
         {"adapter_response", adapter},
         {"message", r.message.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.message)},
         {"failures", r.failures ? nlohmann::json(*r.failures) : nlohmann::json(nullptr)},
         {"compiled", !r.compiled_code.empty()},
         {"compiled_code", r.compiled_code},
         {"relation_name", relation}});
    if (!r.batch_results.is_null()) results.back()["batch_results"] = r.batch_results;
  }
  nlohmann::json meta = metadata(kRunResultsSchema, summary.run_id);
  meta.erase("adapter_type");  // not a field of run_results v6's metadata
  return {{"metadata", std::move(meta)},
          {"results", std::move(results)},
          {"elapsed_time", summary.elapsed},
          {"args", {{"invocation_command", command_line}}}};
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& doc) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << doc.dump(2) << '\n';
    if (!out)
      throw environment_error("cannot write " + tmp.string() +
                              "; check disk space and permissions");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    throw environment_error("cannot rename " + tmp.string() + " to " + path.string() + ": " +
                            ec.message());
}

std::map<std::string, std::string> read_state_checksums(const std::filesystem::path& manifest) {
  std::ifstream in(manifest, std::ios::binary);
  if (!in) {
    throw usage_error("cannot read --state manifest " + manifest.string() +
                      "; point --state at the manifest.json (or target/ folder) of a previous run");
  }
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("nodes")) {
    throw usage_error(manifest.string() + " is not a manifest.json (no nodes)");
  }
  std::map<std::string, std::string> out;
  for (const char* section : {"nodes", "sources"}) {
    if (!doc.contains(section)) continue;
    for (const auto& [id, node] : doc[section].items()) {
      const nlohmann::json* state = nullptr;
      if (auto u = node.find("unrendered_config"); u != node.end() && u->is_object()) {
        if (auto c = u->find("baliza_state_checksum"); c != u->end() && c->is_string()) state = &*c;
      }
      if (auto c = node.find("baliza_state_checksum"); c != node.end() && c->is_string())
        state = &*c;  // manifests written before the checksum moved
      if (state != nullptr) {
        out[id] = *state;
      } else if (node.contains("checksum") && node["checksum"].is_object()) {
        out[id] = node["checksum"].value("checksum", "");
      }
    }
  }
  return out;
}

}  // namespace baliza::transform
