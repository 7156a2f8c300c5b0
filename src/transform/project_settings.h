// baliza.yml: the project file (dbt_project.yml's counterpart).
//
//   name: my_project            (required; letters, digits, underscores)
//   profile: default            (optional)
//   database: data/baliza.duckdb (optional; path of the DuckDB file)
//   vars: {start: '2024-01-01'}
//   model-paths: [models]  seed-paths: [seeds]  test-paths: [tests]  macro-paths: [macros]
//   models:
//     my_project:
//       +materialized: view
//       staging: {+schema: staging, +tags: [staging]}
//   seeds: {my_project: {+schema: raw}}
//   data_tests: {my_project: {+severity: warn}}
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "transform/node_config.h"
#include "transform/yaml_tree.h"

namespace baliza::transform {

// Config per folder: `config` applies to everything under this folder, children refine it.
struct FolderConfig {
  ConfigPatch config;
  std::map<std::string, FolderConfig> children;
};

struct ProjectSettings {
  // "baliza.yml", or "dbt_project.yml" for a dbt project (dbt_project_file.h), whose schema
  // names follow dbt (generate_schema_name) and whose database comes from profiles.yml.
  std::string file = "baliza.yml";
  bool dbt = false;
  std::string name;
  std::string profile;
  std::string database;
  nlohmann::json vars = nlohmann::json::object();
  std::vector<std::string> model_paths{"models"};
  std::vector<std::string> seed_paths{"seeds"};
  std::vector<std::string> test_paths{"tests"};
  std::vector<std::string> macro_paths{"macros"};
  std::vector<std::string> snapshot_paths{"snapshots"};
  std::vector<std::string> analysis_paths{"analyses"};
  std::string target_path = "target";
  std::string packages_install_path = "dbt_packages";  // where `dbt deps` put the packages
  std::vector<std::string> clean_targets;
  std::vector<std::string> on_run_start;  // SQL templates run before / after the nodes
  std::vector<std::string> on_run_end;
  nlohmann::json dispatch = nlohmann::json::array();  // [{macro_namespace, search_order}]
  nlohmann::json flags = nlohmann::json::object();
  nlohmann::json quoting = nlohmann::json::object();
  FolderConfig models;  // children keyed by project name, then folders, then node names
  FolderConfig seeds;
  FolderConfig tests;
  FolderConfig snapshots;
  FolderConfig sources;
  std::vector<std::string> warnings;  // e.g. keys of dbt_project.yml Baliza does not use

  // Every folder the loader reads: model, seed, test, macro, snapshot and analysis paths.
  std::vector<std::string> all_paths() const;
};

// Parses baliza.yml; `file` is its path for messages. Throws usage_error with file:line:col.
ProjectSettings parse_project_settings(const std::string& text, const std::string& file);

// The folder-config tree under `node` (models:, seeds:, ...). In a dbt project (`lenient`) a
// non-mapping value is always a config, as dbt reads it; in baliza.yml it must be a known key.
void parse_folder_config(const std::string& file, const YamlNode& node, ResourceType type,
                         const std::string& where, bool lenient, FolderConfig& out);

// A path list (a string or a list of strings) such as model-paths.
std::vector<std::string> parse_path_list(const std::string& file, const YamlNode& node,
                                         const std::string& key);

// The folder config along `fqn` ([project, folders..., name]), outer folders first.
ConfigPatch folder_config_for(const FolderConfig& root, const std::vector<std::string>& fqn);

}  // namespace baliza::transform
