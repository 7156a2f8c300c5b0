// Project model and loader: a directory (or an in-memory file list) with baliza.yml,
// models/**/*.sql (+ *.yml property files), seeds/*.csv, tests/*.sql, macros/**/*.sql, turned
// into nodes (and a macro library the nodes' templates are linked to).
//
// Loading reads each file once, parses templates and yml, applies config layers (folder
// config from baliza.yml < yml `config:` < `{{ config() }}`) and creates the nodes, sorted by
// unique_id. It does not resolve refs: Dag::build does (missing refs, cycles). Errors are
// usage errors with file:line:column and a hint; yml entries that match no file are warnings.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "transform/node.h"
#include "transform/project_settings.h"
#include "transform/template_macro.h"

namespace baliza::transform {

// One file of a project, path relative to the project root with '/' separators.
struct ProjectFile {
  std::string path;
  std::string content;
};

struct LoadOptions {
  nlohmann::json cli_vars = nlohmann::json::object();  // --vars; overrides baliza.yml vars
  // dbt projects: the profile's target (DbtTarget::to_json), for the Jinja in
  // dbt_project.yml's config values (project_config_render.h); null when not known.
  nlohmann::json target;
};

struct Project {
  ProjectSettings settings;
  std::string root;  // the directory, or "embedded:<name>" for a built-in project
  nlohmann::json vars = nlohmann::json::object();  // baliza.yml vars overridden by --vars
  std::vector<Node> nodes;                         // sorted by unique_id
  // Every macro under the macro paths; node templates are linked to it. Never null.
  std::shared_ptr<const MacroLibrary> macros = std::make_shared<const MacroLibrary>();
  std::vector<std::string> warnings;  // e.g. a yml entry with no SQL file
  // dbt's `target` variable for templates: the profiles.yml target (name, schema, type,
  // path, database, threads, profile_name); null for a baliza.yml project. apply_dbt_naming
  // sets it.
  nlohmann::json target;
  // --defer (transform/defer.h): unique_id -> the relation of another environment that refs to
  // that node render to. Empty unless a run defers.
  std::map<std::string, std::string> deferred;

  const std::string& name() const { return settings.name; }
  const Node* find(std::string_view unique_id) const;
  // The model or seed a ref('name') means (nullptr if none).
  const Node* find_ref(std::string_view name) const;
  const Node* find_source(std::string_view source_name, std::string_view table) const;
  // Rebuilds the lookup indexes; call after changing `nodes`.
  void reindex();

 private:
  std::unordered_map<std::string, std::size_t> by_id_;
  std::unordered_map<std::string, std::size_t> by_ref_name_;
};

// The project file of `dir`: "baliza.yml" when there is one with a models/ folder (or no
// dbt_project.yml beside it), else "dbt_project.yml" when there is one, else nullopt.
std::optional<std::string> project_file_in(const std::filesystem::path& dir);

// The nearest folder at or above `start` holding a project file (core/upward_search.h: it
// stops at BALIZA_CEILING_DIRECTORIES). Throws usage_error if none.
std::filesystem::path find_project_dir(const std::filesystem::path& start);

// The settings of the project in `dir` (baliza.yml or dbt_project.yml, see project_file_in).
ProjectSettings read_project_settings(const std::filesystem::path& dir);

// Loads the project in `dir` (which must contain baliza.yml or dbt_project.yml).
Project load_project(const std::filesystem::path& dir, const LoadOptions& options = {});

// Loads a project from memory; `files` must include "baliza.yml" (or "dbt_project.yml").
// `root` labels it.
Project load_project_files(std::vector<ProjectFile> files, const std::string& root,
                           const LoadOptions& options = {});

// The files of a project embedded in the binary (core/embedded_files.h), paths relative to
// the project (the "<name>/" prefix removed). Empty if there is no such project.
std::vector<ProjectFile> embedded_project_files(std::string_view name);

}  // namespace baliza::transform
