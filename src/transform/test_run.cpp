#include "transform/test_run.h"

#include <cmath>
#include <cstdlib>

#include "core/error.h"
#include "transform/data_tests.h"
#include "transform/materialize.h"
#include "transform/relation.h"

namespace baliza::transform {
namespace {

constexpr std::size_t kSampleRows = 5;

std::string where_declared(const Node& test) {
  return test.is_generic_test ? format_pos(test.patch_path, test.patch_pos)
                              : test.original_file_path;
}

bool yml_sets(const Node& test, const std::string& key) {
  for (const ConfigEntry& e : test.test_metadata.config)
    if (e.key == key) return true;
  return false;
}

// The value of `key`: the macro's config() when the yml entry did not set it, else the node's.
const nlohmann::json* config_value(const Node& test, const nlohmann::json& macro_config,
                                   const std::string& key, nlohmann::json& scratch) {
  if (macro_config.is_object() && macro_config.contains(key) && !yml_sets(test, key)) {
    scratch = macro_config[key];
    if (auto problem = normalize_config_entry(ResourceType::kTest, key, scratch)) {
      throw usage_error(*problem + " (config() in the {% test " + test.test_metadata.test_name +
                        " %} macro, for test " + test.name + " at " + where_declared(test) + ")");
    }
    return &scratch;
  }
  if (key == "severity") {
    scratch = test.config.severity;
    return &scratch;
  }
  if (key == "store_failures") {
    scratch = test.config.store_failures ? nlohmann::json(*test.config.store_failures)
                                         : nlohmann::json(nullptr);
    return &scratch;
  }
  const nlohmann::json& extra = test.config.extra;
  if (extra.is_object()) {
    auto it = extra.find(key);
    if (it != extra.end()) return &*it;
  }
  return nullptr;
}

std::string describe_row(Result& r, std::size_t row) {
  std::string line;
  for (std::size_t c = 0; c < r.column_count(); ++c) {
    if (c > 0) line += ", ";
    line += r.column_name(c) + "=" + (r.is_null(c, row) ? "NULL" : r.get_string(c, row));
  }
  return line;
}

bool truthy(Result& r, std::size_t col) {
  if (r.row_count() == 0 || r.is_null(col, 0)) return false;
  std::string v = r.get_string(col, 0);
  return v == "true" || v == "1";
}

}  // namespace

TestSettings test_settings(const Node& test, const nlohmann::json& macro_config,
                           bool store_failures_flag) {
  TestSettings s;
  nlohmann::json scratch;
  auto text = [&](const char* key, std::string& out) {
    const nlohmann::json* v = config_value(test, macro_config, key, scratch);
    if (v != nullptr && v->is_string()) out = v->get<std::string>();
  };
  text("severity", s.severity);
  text("fail_calc", s.fail_calc);
  text("warn_if", s.warn_if);
  text("error_if", s.error_if);
  if (const nlohmann::json* v = config_value(test, macro_config, "limit", scratch);
      v != nullptr && v->is_number_integer())
    s.limit = v->get<std::int64_t>();
  // dbt: store_failures_as wins (ephemeral: not stored); then store_failures; then the flag.
  const nlohmann::json* as = config_value(test, macro_config, "store_failures_as", scratch);
  if (as != nullptr && as->is_string()) {
    s.store_as = as->get<std::string>();
    s.store = s.store_as != "ephemeral";
    if (!s.store) s.store_as = "table";
    return s;
  }
  const nlohmann::json* store = config_value(test, macro_config, "store_failures", scratch);
  s.store = store != nullptr && store->is_boolean() ? store->get<bool>() : store_failures_flag;
  return s;
}

TestOutcome run_test(Connection& conn, const Node& test, const std::string& sql,
                     const TestSettings& s, bool warn_error) {
  TestOutcome out;
  std::string rows = s.limit ? "SELECT * FROM (\n" + sql + "\n) AS dbt_limit_subq LIMIT " +
                                   std::to_string(*s.limit)
                             : sql;
  std::string source = "(\n" + rows + "\n) AS dbt_internal_test";
  if (s.store) {
    // A dbt project's tests carry their audit schema (dbt_naming.h); the relation is named as
    // the test's alias, and replaced (whatever kind it was) on every run.
    std::string schema = !test.schema.empty()         ? test.schema
                         : test.config.schema.empty() ? kTestFailuresSchema
                                                      : test.config.schema;
    std::string name = node_identifier(test);
    if (s.store_as == "view") {
      build_view(conn, schema, name, rows);
    } else {
      build_table(conn, schema, name, rows);
    }
    out.stored_relation = schema + "." + name;
    source = quote_identifier(schema) + "." + quote_identifier(name) + " AS dbt_internal_test";
  }
  Result r = conn.query("SELECT " + s.fail_calc + " AS failures, " + s.fail_calc + " " + s.warn_if +
                        " AS should_warn, " + s.fail_calc + " " + s.error_if +
                        " AS should_error FROM " + source);
  if (r.row_count() != 1) {
    throw usage_error("test " + test.name + " at " + where_declared(test) + ": fail_calc '" +
                      s.fail_calc + "' returned " + std::to_string(r.row_count()) +
                      " rows, not one; use an aggregate such as count(*) or sum(n_records)");
  }
  if (r.is_null(0, 0)) {
    throw usage_error("test " + test.name + " at " + where_declared(test) + ": fail_calc '" +
                      s.fail_calc +
                      "' returned NULL (no failing rows?); make it return 0 then, e.g. "
                      "coalesce(" +
                      s.fail_calc + ", 0)");
  }
  std::string text = r.get_string(0, 0);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(value) || std::fabs(value) > 9e18) {
    throw usage_error("test " + test.name + " at " + where_declared(test) + ": fail_calc '" +
                      s.fail_calc + "' returned '" + text + "', not a number of failures");
  }
  out.value = std::llround(value);
  bool should_warn = truthy(r, 1);
  bool should_error = truthy(r, 2);
  std::string got = "Got " + std::to_string(out.value) + " result" + (out.value == 1 ? "" : "s");
  if (s.severity == "error" && should_error) {
    out.status = "fail";
    out.message = got + ", configured to fail if " + s.error_if;
  } else if (should_warn) {
    out.status = warn_error ? "fail" : "warn";
    out.message = got + ", configured to " + (warn_error ? "fail" : "warn") + " if " + s.warn_if;
  } else {
    out.status = "pass";
  }
  out.failures = out.status == "pass" ? 0 : out.value;
  if (out.status != "pass") {
    Result sample = conn.query("SELECT * FROM " + source + " LIMIT " + std::to_string(kSampleRows));
    for (std::size_t row = 0; row < sample.row_count(); ++row) {
      if (row > 0) out.sample += '\n';
      out.sample += describe_row(sample, row);
    }
  }
  return out;
}

}  // namespace baliza::transform
