// Node configuration (dbt's `config`): the typed keys Baliza acts on, plus every other key kept
// verbatim in `extra` (e.g. pre_hook, persist_docs) so nothing a user wrote is lost.
//
// Config arrives in layers, applied in this order (later wins): project folder config from
// baliza.yml (outer folders first), the `config:` of the node's yml entry, then `{{ config() }}`
// in the SQL file. `tags` accumulate across layers as in dbt, and so do hooks (pre_hook /
// pre-hook, post_hook / post-hook, kept in extra as lists under the underscore names); every
// other key replaces.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace baliza::transform {

enum class ResourceType { kModel, kSeed, kTest, kSource, kSnapshot };

// "model", "seed", "test", "source", "snapshot"
std::string_view to_string(ResourceType type);
std::optional<ResourceType> parse_resource_type(std::string_view text);

struct NodeConfig {
  std::string materialized;  // model: view|table|incremental|ephemeral; "seed", "test", "source"
  std::string schema;        // empty: the default schema
  std::string alias;         // empty: the node name
  std::string database;
  std::vector<std::string> tags;
  std::vector<std::string> unique_key;  // a string in yml becomes a one-element list
  std::string incremental_strategy;     // empty (engine default), append, delete+insert, merge
  bool enabled = true;
  std::string severity = "error";  // tests: error|warn (normalized to lower case)
  // Tests: unset follows `--store-failures`; store_failures_as (in extra) wins over both.
  // Other test configs (limit, fail_calc, warn_if, error_if, where, store_failures_as) are in
  // extra, validated by normalize_config_entry (see transform/data_tests.h).
  std::optional<bool> store_failures;
  std::map<std::string, std::string> column_types;  // seeds: column -> SQL type
  std::vector<std::string> depends_on;              // extra dependencies: "ref('x')" or "x"
  // Batched builds (table and incremental models; see transform/batched_build.h): the model
  // reads `batch_input` (a ref'd model's name) a slice at a time, keys of `batch_key` whose
  // total `batch_weight` (a column of the input; empty: 1 per key) stays about `batch_size`.
  // batch_where (a template rendered in the model's context): only the input rows it accepts
  // are cut into batches. batch_size 0: not batched.
  std::string batch_input;
  std::string batch_where;
  std::string batch_key;
  std::string batch_weight;
  double batch_size = 0;
  nlohmann::json extra;  // object of every other key, as written; null when there are none

  // All keys, typed and extra, as one JSON object (sorted keys, so dumps are deterministic).
  nlohmann::json to_json() const;
};

// One config key with its (already validated and normalized) value.
struct ConfigEntry {
  std::string key;
  nlohmann::json value;
};
using ConfigPatch = std::vector<ConfigEntry>;

// Validates `value` for `key` on a node of `type` and normalizes it in place (a single tag or
// unique_key becomes a list, severity lower case). Returns an error such as
// "materialized must be one of view, table, incremental, ephemeral; got 'tabel'; did you mean
// 'table'?" or nullopt when valid. A leading '+' on the key is accepted and removed by callers.
std::optional<std::string> normalize_config_entry(ResourceType type, std::string_view key,
                                                  nlohmann::json& value);

// True for the keys NodeConfig types (used to accept dbt's un-prefixed folder config keys).
bool is_known_config_key(std::string_view key);

// Applies the entries in order; they must have been normalized.
void apply_config(NodeConfig& config, const ConfigPatch& patch);

// Defaults for a fresh node of `type` (materialized view/seed/test/source).
NodeConfig default_config(ResourceType type);

}  // namespace baliza::transform
