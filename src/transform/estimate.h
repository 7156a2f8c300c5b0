// Cost estimates before anything runs (`baliza validate --estimate`, `baliza dry-run`): for each
// model, DuckDB's own plan (EXPLAIN, nothing executes) over the warehouse as it is now gives
// the estimated rows the model would produce (the plan root's estimated cardinality) and a cost
// figure (the sum of the estimated cardinalities of every operator: rows the plan moves).
// Budgets in baliza.yml cap them and fail validation when exceeded:
//
//   budgets:
//     max_estimated_rows: 50000000     # per model
//     max_estimated_cost: 500000000    # per model
//
// and per model in its yml `meta: {max_estimated_rows: N, max_estimated_cost: N}` (wins).
// A model whose inputs are not built yet cannot be planned: it is "not estimated" with
// DuckDB's reason, never given a made-up number.
//
// Errors: a bad budget value is a usage error at baliza.yml:line:column, the variable or --set.
// Threads: one caller.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "db/database.h"
#include "transform/dag.h"

namespace baliza::transform {

struct Budgets {
  std::optional<std::int64_t> max_rows;
  std::optional<std::int64_t> max_cost;
};

// The budgets.* settings (core/setting_specs.h: baliza.yml `budgets:`, BALIZA_BUDGETS__*,
// --set budgets.max_estimated_rows=N); none when unset.
Budgets budgets_from(const Settings& settings);
// The same from the settings resolved with `baliza_yml` (when it exists), the environment and
// the --set flags.
Budgets load_budgets(const std::optional<std::filesystem::path>& baliza_yml);

struct ModelEstimate {
  std::string unique_id;
  std::string name;
  std::string file;                  // original_file_path
  std::optional<std::int64_t> rows;  // estimated output rows
  std::optional<std::int64_t> cost;  // sum of estimated rows over the plan's operators
  std::string not_estimated;         // why, when rows is empty
  Budgets budget;                    // the budget that applies (model meta over project)
  std::vector<std::string> over;     // budget problems, each a sentence with the fix
};

// Plans every enabled, non-ephemeral model of `dag` on `conn` (the warehouse: baliza_payload
// registered when models read the raw store), in dependency order.
std::vector<ModelEstimate> estimate_models(const Project& project, const Dag& dag, Connection& conn,
                                           const Budgets& budgets);

// The table people read: model, estimated rows, cost, budget verdict.
std::string describe_estimates(const std::vector<ModelEstimate>& estimates);

}  // namespace baliza::transform
