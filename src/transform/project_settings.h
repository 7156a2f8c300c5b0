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

namespace baliza::transform {

// Config per folder: `config` applies to everything under this folder, children refine it.
struct FolderConfig {
  ConfigPatch config;
  std::map<std::string, FolderConfig> children;
};

struct ProjectSettings {
  std::string name;
  std::string profile;
  std::string database;
  nlohmann::json vars = nlohmann::json::object();
  std::vector<std::string> model_paths{"models"};
  std::vector<std::string> seed_paths{"seeds"};
  std::vector<std::string> test_paths{"tests"};
  std::vector<std::string> macro_paths{"macros"};
  FolderConfig models;  // children keyed by project name, then folders, then node names
  FolderConfig seeds;
  FolderConfig tests;
};

// Parses baliza.yml; `file` is its path for messages. Throws usage_error with file:line:col.
ProjectSettings parse_project_settings(const std::string& text, const std::string& file);

// The folder config along `fqn` ([project, folders..., name]), outer folders first.
ConfigPatch folder_config_for(const FolderConfig& root, const std::vector<std::string>& fqn);

}  // namespace baliza::transform
