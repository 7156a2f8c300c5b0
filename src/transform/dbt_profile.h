// profiles.yml: the DuckDB target a dbt project runs against.
//
// The file is looked up, first found wins, in: --profiles-dir, $DBT_PROFILES_DIR, the project
// folder, ~/.dbt/. Inside, the project's profile (dbt_project.yml `profile:`, default its
// name) picks `target:` (or --target) among `outputs:`. Only `type: duckdb` targets run here.
// String values may use Jinja ({{ env_var('X', 'd') }}), rendered once when read.
//
//   jaffle_shop:
//     target: dev
//     outputs:
//       dev: {type: duckdb, path: jaffle_shop.duckdb, schema: main, threads: 4,
//             settings: {memory_limit: 2GB}, extensions: [parquet]}
//
// `path` is relative to the current folder (as dbt-duckdb opens it); ":memory:" is allowed.
// The database (catalog) name is the file's stem, "memory" for ":memory:". Errors are usage
// errors naming the file and what to change.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace baliza::transform {

struct DbtTarget {
  std::string profile_name;
  std::string target_name;
  std::string type = "duckdb";
  std::string path;             // DuckDB file, as written (relative to the current folder)
  std::string schema = "main";  // the default schema of models
  std::string database;         // catalog name of `path`
  int threads = 1;
  std::map<std::string, std::string> settings;  // DuckDB settings, applied with SET GLOBAL
  std::vector<std::string> extensions;
  std::string profiles_file;  // where it was read; empty for the built-in default
  // dbt's `target` Jinja variable: name, type, schema, database, path, threads, profile_name.
  nlohmann::json to_json() const;
};

struct ProfileRequest {
  std::string profile;       // from dbt_project.yml
  std::string target;        // --target (empty: the profile's `target:`)
  std::string profiles_dir;  // --profiles-dir (empty: env, project, ~/.dbt)
  std::filesystem::path project_dir;
  bool database_given = false;  // --db/BALIZA_DB chose the file: a missing profile is fine
};

// The profiles.yml that would be read, or nullopt.
std::optional<std::filesystem::path> find_profiles_file(const ProfileRequest& request);

// Reads the target. Without any profiles.yml and with database_given, returns a default
// target (schema main) so a project can run against the given file.
DbtTarget resolve_dbt_target(const ProfileRequest& request);

// Reads the target from the text of a profiles.yml (`file` names it in messages); what
// resolve_dbt_target does once the file is found. Throws usage_error with file:line:column.
DbtTarget parse_dbt_target(const std::string& text, const std::string& file,
                           const ProfileRequest& request);

// The catalog name DuckDB gives the file at `path`.
std::string duckdb_catalog_name(const std::string& path);

}  // namespace baliza::transform
