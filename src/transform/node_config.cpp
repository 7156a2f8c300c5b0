#include "transform/node_config.h"

#include <algorithm>
#include <array>

#include "transform/batch_time.h"
#include "transform/source_freshness.h"
#include "transform/text_util.h"

namespace baliza::transform {
namespace {

const std::vector<std::string> kModelMaterializations = {"view",      "table",    "incremental",
                                                         "ephemeral", "external", "snapshot"};
const std::vector<std::string> kStrategies = {"append", "delete+insert", "merge", "microbatch"};
const std::vector<std::string> kSeverities = {"error", "warn"};
const std::vector<std::string> kStoreFailuresAs = {"ephemeral", "table", "view"};

constexpr std::array<std::string_view, 18> kTypedKeys = {
    "materialized", "schema",         "alias",        "database",
    "tags",         "unique_key",     "enabled",      "incremental_strategy",
    "severity",     "store_failures", "column_types", "depends_on",
    "full_refresh", "batch_input",    "batch_key",    "batch_weight",
    "batch_size",   "batch_where"};

std::string one_of(std::string_view key, const std::vector<std::string>& allowed,
                   const std::string& got) {
  return std::string(key) + " must be one of " + join(allowed, ", ") + "; got '" + got + "'" +
         did_you_mean(got, allowed);
}

// A string, or a list of strings, normalized to a list.
std::optional<std::string> string_list(std::string_view key, nlohmann::json& value) {
  if (value.is_string()) value = nlohmann::json::array({value});
  if (!value.is_array()) return std::string(key) + " must be a string or a list of strings";
  for (const auto& item : value) {
    if (!item.is_string()) return std::string(key) + " must contain only strings";
  }
  return std::nullopt;
}

std::optional<std::string> enum_value(std::string_view key, nlohmann::json& value,
                                      const std::vector<std::string>& allowed, bool lower) {
  if (!value.is_string()) return std::string(key) + " must be a string";
  std::string text = value.get<std::string>();
  if (lower) std::transform(text.begin(), text.end(), text.begin(), ::tolower);
  if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
    return one_of(key, allowed, text);
  }
  value = text;
  return std::nullopt;
}

std::optional<std::string> normalize_materialized(ResourceType type, nlohmann::json& value) {
  if (type == ResourceType::kSnapshot && value.is_string() &&
      value.get<std::string>() == "snapshot")
    return std::nullopt;
  if (type == ResourceType::kModel)
    return enum_value("materialized", value, kModelMaterializations, false);
  std::string expected(to_string(type));
  if (!value.is_string() || value.get<std::string>() != expected) {
    return "a " + expected + " cannot set materialized (it is always '" + expected + "')";
  }
  return std::nullopt;
}

std::vector<std::string> strings(const nlohmann::json& list) {
  std::vector<std::string> out;
  for (const auto& item : list) out.push_back(item.get<std::string>());
  return out;
}

}  // namespace

std::string_view to_string(ResourceType type) {
  switch (type) {
    case ResourceType::kModel:
      return "model";
    case ResourceType::kSeed:
      return "seed";
    case ResourceType::kTest:
      return "test";
    case ResourceType::kSource:
      return "source";
    case ResourceType::kSnapshot:
      return "snapshot";
  }
  return "model";
}

std::optional<ResourceType> parse_resource_type(std::string_view text) {
  for (ResourceType t : {ResourceType::kModel, ResourceType::kSeed, ResourceType::kTest,
                         ResourceType::kSource, ResourceType::kSnapshot}) {
    if (to_string(t) == text) return t;
  }
  return std::nullopt;
}

bool is_known_config_key(std::string_view key) {
  return std::find(kTypedKeys.begin(), kTypedKeys.end(), key) != kTypedKeys.end();
}

std::optional<std::string> normalize_config_entry(ResourceType type, std::string_view key,
                                                  nlohmann::json& value) {
  if (key == "materialized") return normalize_materialized(type, value);
  if (key == "batch_size") {
    // dbt's microbatch batch_size (transform/microbatch.h) is a calendar unit.
    if (value.is_string()) {
      if (enum_value(key, value, {"hour", "day", "month", "year"}, true)) {
        return "batch_size must be a positive number (Baliza's batched build) or, for a "
               "microbatch model, 'hour', 'day', 'month' or 'year'; got " +
               value.dump() +
               did_you_mean(value.get<std::string>(), {"hour", "day", "month", "year"});
      }
      return std::nullopt;
    }
    if (!value.is_number() || value.get<double>() <= 0) {
      return "batch_size must be a positive number: the total batch_weight of the keys of "
             "batch_input one batch takes (e.g. batch_size=16000000 with "
             "batch_weight='raw_size'); got " +
             value.dump();
    }
    return std::nullopt;
  }
  if (key == "lookback" && !value.is_null() &&
      (!value.is_number_integer() || value.get<std::int64_t>() < 0))
    return "lookback must be a whole number of batches (0 or more); got " + value.dump();
  if (key == "begin" && !value.is_null() &&
      (!value.is_string() || !parse_utc_time(value.get<std::string>())))
    return "begin must be a date or timestamp such as '2024-01-01' or '2024-01-01 06:00:00'; got " +
           value.dump();
  if (key == "schema" || key == "alias" || key == "database" || key == "batch_input" ||
      key == "batch_key" || key == "batch_weight" || key == "batch_where") {
    if (!value.is_string()) return std::string(key) + " must be a string";
    return std::nullopt;
  }
  if (key == "tags" || key == "unique_key" || key == "depends_on") return string_list(key, value);
  if (key == "incremental_strategy") return enum_value(key, value, kStrategies, false);
  if (key == "freshness" && type == ResourceType::kSource) return freshness_problem(value);
  if (key == "severity") return enum_value(key, value, kSeverities, true);
  if (key == "store_failures" && value.is_null()) return std::nullopt;  // unset: --store-failures
  if (key == "enabled" || key == "store_failures" || key == "full_refresh") {
    if (!value.is_boolean()) return std::string(key) + " must be true or false";
    return std::nullopt;
  }
  if (type == ResourceType::kTest && key == "limit") {
    if (value.is_null()) return std::nullopt;
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0)
      return "limit must be a whole number of failing rows (e.g. limit: 1000); got " + value.dump();
    return std::nullopt;
  }
  if (type == ResourceType::kTest &&
      (key == "fail_calc" || key == "warn_if" || key == "error_if")) {
    if (!value.is_string() ||
        value.get<std::string>().find_first_not_of(" \t") == std::string::npos)
      return std::string(key) +
             (key == "fail_calc" ? " must be a SQL expression over the failing rows, e.g. "
                                   "'sum(n_records)'"
                                 : " must be a condition on the failure count, e.g. '>10', "
                                   "'!= 0', 'between 5 and 10'") +
             "; got " + value.dump();
    return std::nullopt;
  }
  if (type == ResourceType::kTest && key == "store_failures_as") {
    if (value.is_null()) return std::nullopt;
    return enum_value(key, value, kStoreFailuresAs, true);
  }
  if (key == "column_types") {
    if (!value.is_object()) return "column_types must be a mapping of column name to SQL type";
    for (const auto& [column, sql_type] : value.items()) {
      if (!sql_type.is_string()) return "column_types." + column + " must be a SQL type name";
    }
    return std::nullopt;
  }
  return std::nullopt;  // any other key is kept as written
}

void apply_config(NodeConfig& c, const ConfigPatch& patch) {
  for (const auto& [key, value] : patch) {
    if (key == "materialized")
      c.materialized = value.get<std::string>();
    else if (key == "schema")
      c.schema = value.get<std::string>();
    else if (key == "alias")
      c.alias = value.get<std::string>();
    else if (key == "database")
      c.database = value.get<std::string>();
    else if (key == "tags") {
      for (auto& tag : strings(value)) {
        if (std::find(c.tags.begin(), c.tags.end(), tag) == c.tags.end()) c.tags.push_back(tag);
      }
    } else if (key == "unique_key")
      c.unique_key = strings(value);
    else if (key == "depends_on")
      c.depends_on = strings(value);
    else if (key == "incremental_strategy")
      c.incremental_strategy = value.get<std::string>();
    else if (key == "batch_input")
      c.batch_input = value.get<std::string>();
    else if (key == "batch_key")
      c.batch_key = value.get<std::string>();
    else if (key == "batch_where")
      c.batch_where = value.get<std::string>();
    else if (key == "batch_weight")
      c.batch_weight = value.get<std::string>();
    else if (key == "batch_size" && value.is_number())
      c.batch_size = value.get<double>();
    else if (key == "severity")
      c.severity = value.get<std::string>();
    else if (key == "enabled")
      c.enabled = value.get<bool>();
    else if (key == "store_failures")
      c.store_failures = value.is_null() ? std::nullopt : std::optional<bool>(value.get<bool>());
    else if (key == "column_types") {
      for (const auto& [column, sql_type] : value.items()) {
        c.column_types[column] = sql_type.get<std::string>();
      }
    } else if (key == "pre_hook" || key == "pre-hook" || key == "post_hook" || key == "post-hook") {
      // Hooks accumulate across layers (project, yml, SQL file) in that order, as in dbt.
      std::string name = key[1] == 'r' ? "pre_hook" : "post_hook";
      if (!c.extra.is_object() || !c.extra.contains(name)) c.extra[name] = nlohmann::json::array();
      if (value.is_array()) {
        for (const auto& item : value) c.extra[name].push_back(item);
      } else if (!value.is_null()) {
        c.extra[name].push_back(value);
      }
    } else
      c.extra[key] = value;
  }
}

NodeConfig default_config(ResourceType type) {
  NodeConfig c;
  c.materialized = type == ResourceType::kModel ? "view" : std::string(to_string(type));
  return c;
}

nlohmann::json NodeConfig::to_json() const {
  nlohmann::json j = extra;
  j["materialized"] = materialized;
  j["schema"] = schema.empty() ? nlohmann::json(nullptr) : nlohmann::json(schema);
  j["alias"] = alias.empty() ? nlohmann::json(nullptr) : nlohmann::json(alias);
  j["database"] = database.empty() ? nlohmann::json(nullptr) : nlohmann::json(database);
  j["tags"] = tags;
  if (unique_key.empty())
    j["unique_key"] = nullptr;
  else if (unique_key.size() == 1)
    j["unique_key"] = unique_key[0];
  else
    j["unique_key"] = unique_key;
  j["incremental_strategy"] =
      incremental_strategy.empty() ? nlohmann::json(nullptr) : nlohmann::json(incremental_strategy);
  j["enabled"] = enabled;
  j["severity"] = severity;
  j["store_failures"] = store_failures ? nlohmann::json(*store_failures) : nlohmann::json(nullptr);
  j["column_types"] = column_types;
  j["depends_on"] = depends_on;
  if (batch_size > 0 || !batch_input.empty()) {
    j["batch_input"] = batch_input;
    j["batch_key"] = batch_key;
    j["batch_weight"] =
        batch_weight.empty() ? nlohmann::json(nullptr) : nlohmann::json(batch_weight);
    j["batch_size"] = batch_size;
    j["batch_where"] = batch_where.empty() ? nlohmann::json(nullptr) : nlohmann::json(batch_where);
  }
  return j;
}

}  // namespace baliza::transform
