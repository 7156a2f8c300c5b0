#include "transform/dbt_project_file.h"

#include <algorithm>

#include "core/error.h"
#include "transform/text_util.h"
#include "transform/yaml_util.h"

namespace baliza::transform {
namespace {

// Keys read below; anything else is reported once as unused.
const std::vector<std::string> kUsedKeys = {
    "name",          "profile",      "vars",           "model-paths",    "seed-paths",
    "test-paths",    "macro-paths",  "snapshot-paths", "analysis-paths", "target-path",
    "clean-targets", "on-run-start", "on-run-end",     "dispatch",       "flags",
    "quoting",       "models",       "seeds",          "snapshots",      "tests",
    "data_tests",    "sources",      "version",        "config-version", "packages-install-path"};

std::vector<std::string> hook_list(const std::string& file, const YamlNode& node,
                                   const std::string& key) {
  if (!node || node.IsNull()) return {};
  if (node.IsScalar()) return {node.Scalar()};
  expect_list(file, node, key);
  std::vector<std::string> out;
  for (const YamlNode& item : node.items()) {
    if (item.IsNull()) continue;
    out.push_back(expect_string(file, item, key + " entries"));
  }
  return out;
}

void parse_vars(const std::string& file, const YamlNode& node, ProjectSettings& s) {
  if (!node || node.IsNull()) return;
  expect_map(file, node, "vars");
  nlohmann::json vars = yaml_to_json(node);
  // vars: {my_project: {x: 1}} scopes x to this project: for the project's own nodes it is a
  // plain var.
  if (auto it = vars.find(s.name); it != vars.end() && it->is_object()) {
    nlohmann::json scoped = *it;
    for (auto& [k, v] : scoped.items()) vars[k] = v;
  }
  s.vars = std::move(vars);
}

}  // namespace

ProjectSettings parse_dbt_project_settings(const std::string& text, const std::string& file) {
  YamlNode root = parse_yaml(text, file);
  if (!root.IsDefined() || root.IsNull()) {
    throw usage_error(file + " is empty; a dbt project needs at least 'name: my_project'");
  }
  expect_map(file, root, "dbt_project.yml");
  ProjectSettings s;
  s.file = kDbtProjectFile;
  s.dbt = true;
  if (!root["name"]) {
    yaml_fail(file, root, "dbt_project.yml has no 'name'", "; add 'name: my_project'");
  }
  s.name = expect_string(file, root["name"], "name");
  s.profile = s.name;  // dbt's default when `profile:` is absent
  if (root["profile"]) s.profile = expect_string(file, root["profile"], "profile");
  parse_vars(file, root["vars"], s);
  auto paths = [&](const char* key, std::vector<std::string>& out) {
    if (root[key] && !root[key].IsNull()) out = parse_path_list(file, root[key], key);
  };
  paths("model-paths", s.model_paths);
  paths("seed-paths", s.seed_paths);
  paths("test-paths", s.test_paths);
  paths("macro-paths", s.macro_paths);
  paths("snapshot-paths", s.snapshot_paths);
  paths("analysis-paths", s.analysis_paths);
  paths("clean-targets", s.clean_targets);
  if (root["target-path"]) s.target_path = expect_string(file, root["target-path"], "target-path");
  if (root["packages-install-path"]) {
    s.packages_install_path =
        expect_string(file, root["packages-install-path"], "packages-install-path");
  }
  s.on_run_start = hook_list(file, root["on-run-start"], "on-run-start");
  s.on_run_end = hook_list(file, root["on-run-end"], "on-run-end");
  if (root["dispatch"]) s.dispatch = yaml_to_json(root["dispatch"]);
  if (root["flags"]) s.flags = yaml_to_json(root["flags"]);
  if (root["quoting"]) s.quoting = yaml_to_json(root["quoting"]);
  auto tree = [&](const char* key, ResourceType type, FolderConfig& out) {
    if (root[key] && !root[key].IsNull())
      parse_folder_config(file, root[key], type, key, true, out);
  };
  tree("models", ResourceType::kModel, s.models);
  tree("seeds", ResourceType::kSeed, s.seeds);
  tree("tests", ResourceType::kTest, s.tests);
  tree("data_tests", ResourceType::kTest, s.tests);
  tree("snapshots", ResourceType::kModel, s.snapshots);
  tree("sources", ResourceType::kSource, s.sources);

  std::vector<std::string> unused;
  for (const YamlEntry& e : root.entries()) {
    const std::string& key = e.first.Scalar();
    if (std::find(kUsedKeys.begin(), kUsedKeys.end(), key) == kUsedKeys.end())
      unused.push_back(key);
  }
  if (!unused.empty()) {
    s.warnings.push_back(file + ": Baliza does not use " + join(unused, ", ") +
                         " (accepted and ignored)");
  }
  return s;
}

}  // namespace baliza::transform
