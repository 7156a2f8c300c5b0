// Workflows: named, ordered lists of steps declared in a project, read from the `workflows:`
// section of baliza.yml (a mapping name -> workflow) and from workflows/*.yml in the project
// folder (one workflow per file, named after the file unless it says `name:`), so a dbt
// project (which has no baliza.yml) declares them too.
//
//   description: one line
//   vars: {start_year: 2025}          # project vars for the steps that render SQL
//   steps:
//     - clear: [stg_*, int_*, fct_*]  # or {patterns: [...]}: relations to drop
//     - seed: tag:config              # or {select, exclude, depends_on: {seed: [seeds]}}
//     - build: tag:foundation         # or {select, exclude, full_refresh}
//     - validate:                     # or {checks: [...]}
//         - {name: census_size, row_count: census, min: 100, max: 10000, severity: error}
//         - {name: no_negative, sql: "select * from {{ ref('x') }} where v < 0", severity: warn}
//         - {name: tests, tests: tag:foundation}
//         - {name: fresh, freshness: x, column: loaded_at, max_age: 24h, severity: info}
//     - run: {export: [{relation: fct_x, path: exports/fct_x.parquet}]}   # or {sql: "..."}
//
// Every step may carry `name:` (default: its kind, `build_2` for the second build) and
// `quick: false` (left out by --quick). Severity defaults to error. Mistakes are usage errors
// naming file:line:column and the fix; nothing runs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace baliza::ops {

enum class StepKind { kClear, kSeed, kBuild, kValidate, kRun };
enum class Severity { kError, kWarn, kInfo };

const char* to_string(StepKind kind);
const char* to_string(Severity severity);

struct Check {
  enum class Kind { kRowCount, kSql, kTests, kFreshness };
  std::string name;
  Kind kind = Kind::kRowCount;
  Severity severity = Severity::kError;
  std::string relation;                  // row_count, freshness: a model/seed name or schema.table
  std::optional<std::int64_t> min, max;  // row_count bounds, inclusive
  std::string sql;                       // sql: a template; the check fails when it returns rows
  std::vector<std::string> select;       // tests: the data tests of this selection
  std::string column;                    // freshness: a timestamp/date column
  double max_age_seconds = 0;            // freshness
  std::string where;                     // file:line of the check
};

struct ExportSpec {
  std::string relation;  // a model/seed name or schema.table
  std::string path;      // relative to the project folder
  std::string format;    // parquet or csv (default: from the extension, else parquet)
};

struct Step {
  std::string name;
  StepKind kind = StepKind::kBuild;
  bool quick = true;                  // false: --quick leaves the step out
  std::vector<std::string> patterns;  // clear
  std::vector<std::string> select;    // seed, build (empty: every seed / node)
  std::vector<std::string> exclude;   // seed, build
  bool full_refresh = false;          // build
  // seed: declared dependencies, seed name -> the seeds it must be loaded after.
  std::map<std::string, std::vector<std::string>> depends_on;
  std::vector<Check> checks;        // validate
  std::vector<ExportSpec> exports;  // run: export
  std::string sql;                  // run: sql
  std::string where;                // file:line of the step
};

struct Workflow {
  std::string name;
  std::string description;
  nlohmann::json vars = nlohmann::json::object();
  std::vector<Step> steps;
  std::string file;  // where it is declared (relative to the project folder)
  int line = 0;
};

// Every workflow of the project in `dir`, sorted by name. `baliza_yml` is the project's
// baliza.yml (nullopt for a dbt project). Throws usage_error (exit 2) with file:line:column.
std::vector<Workflow> load_workflows(const std::filesystem::path& dir,
                                     const std::optional<std::filesystem::path>& baliza_yml);

// Parses one workflow body (for tests and for load_workflows).
Workflow parse_workflow(const std::string& name, const std::string& yaml_text,
                        const std::string& file);

// The workflow named `name`; a usage error listing the declared ones (with a suggestion).
const Workflow& find_workflow(const std::vector<Workflow>& workflows, const std::string& name);

// The index of the step `ref` names: its name or its 1-based position. Usage error otherwise.
std::size_t find_step(const Workflow& workflow, const std::string& ref);

// "2h", "30m", "7d", "90s" or a number of seconds. nullopt when malformed.
std::optional<double> parse_duration(const std::string& text);

}  // namespace baliza::ops
