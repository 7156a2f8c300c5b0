// What the transformation commands do, shared by `baliza transform|seed|test|build|ls|compile|
// validate` (commands_transform.cpp) and `baliza dbt <command>` (commands_dbt.cpp).
//
// The project is --project-dir or the nearest one (project_locator.h), else the built-in PNCP
// project. A dbt project (dbt_project.yml) runs against its profiles.yml target (the DuckDB
// file, schema, threads, settings; --db or BALIZA_DB still win for the file), names its
// relations as dbt does (transform/dbt_naming.h), writes artifacts to its target-path, and
// leaves Baliza's own schemas (meta, raw, ...) out of the user's database.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/period_options.h"
#include "transform/dbt_profile.h"
#include "transform/node_config.h"
#include "transform/project.h"

namespace baliza::cli {

struct TransformOptions {
  std::string project_dir;
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  std::vector<std::string> resource_types;
  bool full_refresh = false;
  bool fail_fast = false;
  std::string vars;
  std::string state;
  PeriodOptions period;  // --mes / --dia / --range / --latest: the period to rebuild
  int threads = 0;       // 0: the profile's threads (dbt projects), else 4
  std::string output = "text";
  // lineage
  std::string target;
  bool upstream = false, downstream = false;
  int depth = -1;
  std::string format = "text";
  bool estimate = false;  // validate --estimate
  // dbt projects
  std::string dbt_target;           // --target
  std::string profiles_dir;         // --profiles-dir
  std::string log_format = "text";  // --log-format: text, or json (cli/json_log.h)
  bool store_failures = false;      // --store-failures (tests without the config keep rows)
  bool warn_error = false;          // --warn-error: a test that warns fails
  // Microbatch models (transform/microbatch.h): --event-time-start / --event-time-end, and the
  // failed batches `dbt retry` runs again (unique_id -> [start, end] pairs).
  std::string event_time_start;
  std::string event_time_end;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> retry_batches;
  bool defer = false;        // --defer: unselected parents from --state (transform/defer.h)
  bool favor_state = false;  // --favor-state: always the state's relation
};

struct LoadedProject {
  transform::Project project;
  std::filesystem::path dir;                // empty for the built-in project
  std::filesystem::path target;             // where artifacts go
  std::optional<transform::DbtTarget> dbt;  // set for a dbt project
};

LoadedProject load_transform_project(Context& ctx, const TransformOptions& o);

// The database settings of the project (a dbt project's profile target, else baliza.yml;
// --db and BALIZA_DB win).
Settings project_db_settings(Context& ctx, const LoadedProject& p);
// A dbt target's settings and extensions on conn (nothing for other projects).
void apply_project_target(Context& ctx, Connection& conn, const LoadedProject& p);
// --threads, else the dbt profile's threads, else 4.
int project_threads(const TransformOptions& o, const LoadedProject& p);

// transform, seed, test, build (the resource types each runs).
int run_command(Context& ctx, const TransformOptions& o, const std::string& command,
                std::vector<transform::ResourceType> types);
int run_ls(Context& ctx, const TransformOptions& o);
int run_compile(Context& ctx, const TransformOptions& o);
int run_validate(Context& ctx, const TransformOptions& o);
// dbt docs generate: manifest.json with compiled SQL and catalog.json from the database.
int run_docs_generate(Context& ctx, const TransformOptions& o);
// dbt source freshness (cli/source_freshness.cpp): sources.json at `output` (default
// <target>/sources.json); exit 1 when a source is stale past error_after or cannot be checked.
int run_source_freshness(Context& ctx, const TransformOptions& o, const std::string& output);

}  // namespace baliza::cli
