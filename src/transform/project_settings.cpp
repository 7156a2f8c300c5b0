#include "transform/project_settings.h"

#include <cctype>

#include "core/error.h"
#include "transform/project_config_render.h"
#include "transform/text_util.h"
#include "transform/yaml_util.h"

namespace baliza::transform {
namespace {

const std::vector<std::string> kProjectKeys = {
    "name",           "raw_store",      "duckdb",  // Baliza's own (core/config.h)
    "openlineage",                                 // Baliza's own (lineage/openlineage_config.h)
    "coordinator",                                 // Baliza's own (core/config.h, coord/)
    "budgets",                                     // Baliza's own (transform/estimate.h)
    "workflows",                                   // Baliza's own (ops/workflow_spec.h)
    "checkpoints",    "notifications",             // Baliza's own (ops/checkpoint.h, ops/notify.h)
    "version",        "config-version", "profile",
    "database",       "vars",           "model-paths",
    "seed-paths",     "test-paths",     "models",
    "seeds",          "tests",          "data_tests",
    "target-path",    "clean-targets",  "macro-paths",
    "analysis-paths", "snapshot-paths", "require-dbt-version"};

bool valid_identifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> parse_path_list(const std::string& file, const YamlNode& node,
                                         const std::string& key) {
  std::vector<std::string> out;
  if (node.IsScalar()) return {node.Scalar()};
  expect_list(file, node, key);
  for (const auto& item : node.items()) out.push_back(expect_string(file, item, key + " entries"));
  return out;
}

void parse_folder_config(const std::string& file, const YamlNode& node, ResourceType type,
                         const std::string& where, bool lenient, FolderConfig& out) {
  expect_map(file, node, where);
  for (const auto& entry : node.entries()) {
    std::string key = entry.first.Scalar();
    bool prefixed = !key.empty() && key[0] == '+';
    if (prefixed || (!entry.second.IsMap() && (lenient || is_known_config_key(key)))) {
      if (prefixed) key.erase(0, 1);
      nlohmann::json value = yaml_to_json(entry.second);
      // dbt renders Jinja in dbt_project.yml's config values ("{{ var('x', false) }}") once
      // the profile's target and --vars are known: kept as written here, checked then
      // (project_config_render.h).
      if (lenient && is_config_template(key, value)) {
        out.config.push_back({key, std::move(value)});
        continue;
      }
      if (auto problem = normalize_config_entry(type, key, value)) {
        yaml_fail(file, entry.second, *problem);
      }
      out.config.push_back({key, std::move(value)});
    } else if (entry.second.IsMap()) {
      parse_folder_config(file, entry.second, type, where + "." + key, lenient, out.children[key]);
    } else {
      yaml_fail(file, entry.first,
                "'" + key + "' in " + where + " is neither a config nor a folder",
                "; write '+" + key + ": ...' for a config key, or a mapping for a sub-folder");
    }
  }
}

ProjectSettings parse_project_settings(const std::string& text, const std::string& file) {
  YamlNode root = parse_yaml(text, file);
  if (!root.IsDefined() || root.IsNull()) {
    throw usage_error(file + " is empty; it needs at least 'name: my_project'");
  }
  check_keys(file, root, kProjectKeys, "baliza.yml");
  ProjectSettings s;
  if (!root["name"]) yaml_fail(file, root, "baliza.yml has no 'name'", "; add 'name: my_project'");
  s.name = expect_string(file, root["name"], "name");
  if (!valid_identifier(s.name)) {
    yaml_fail(file, root["name"], "project name '" + s.name + "' is not a valid identifier",
              "; use letters, digits and underscores, not starting with a digit");
  }
  if (root["profile"]) s.profile = expect_string(file, root["profile"], "profile");
  if (root["database"]) s.database = expect_string(file, root["database"], "database");
  if (root["vars"] && !root["vars"].IsNull()) {
    expect_map(file, root["vars"], "vars");
    s.vars = yaml_to_json(root["vars"]);
  }
  if (root["model-paths"])
    s.model_paths = parse_path_list(file, root["model-paths"], "model-paths");
  if (root["seed-paths"]) s.seed_paths = parse_path_list(file, root["seed-paths"], "seed-paths");
  if (root["test-paths"]) s.test_paths = parse_path_list(file, root["test-paths"], "test-paths");
  if (root["macro-paths"])
    s.macro_paths = parse_path_list(file, root["macro-paths"], "macro-paths");
  if (root["models"])
    parse_folder_config(file, root["models"], ResourceType::kModel, "models", false, s.models);
  if (root["seeds"])
    parse_folder_config(file, root["seeds"], ResourceType::kSeed, "seeds", false, s.seeds);
  for (const char* key : {"tests", "data_tests"}) {
    if (root[key]) parse_folder_config(file, root[key], ResourceType::kTest, key, false, s.tests);
  }
  return s;
}

std::vector<std::string> ProjectSettings::all_paths() const {
  std::vector<std::string> out;
  for (const auto* list :
       {&model_paths, &seed_paths, &test_paths, &macro_paths, &snapshot_paths, &analysis_paths}) {
    out.insert(out.end(), list->begin(), list->end());
  }
  return out;
}

ConfigPatch folder_config_for(const FolderConfig& root, const std::vector<std::string>& fqn) {
  ConfigPatch out = root.config;
  const FolderConfig* level = &root;
  for (const auto& part : fqn) {
    auto it = level->children.find(part);
    if (it == level->children.end()) break;
    level = &it->second;
    out.insert(out.end(), level->config.begin(), level->config.end());
  }
  return out;
}

}  // namespace baliza::transform
