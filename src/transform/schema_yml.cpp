#include "transform/schema_yml.h"

#include "core/log.h"
#include "transform/project_config_render.h"
#include "transform/source_freshness.h"
#include "transform/text_util.h"
#include "transform/yaml_util.h"

namespace baliza::transform {
namespace {

const std::vector<std::string> kTopKeys = {"version", "models", "sources", "seeds", "snapshots"};
// dbt sections Baliza does not use: accepted so dbt projects load, reported once.
const std::vector<std::string> kIgnoredTopKeys = {"exposures",  "macros",          "analyses",
                                                  "metrics",    "semantic_models", "saved_queries",
                                                  "unit_tests", "groups"};
const std::vector<std::string> kNodeKeys = {"name",  "description", "config", "columns",
                                            "tests", "data_tests",  "meta",   "docs"};
const std::vector<std::string> kColumnKeys = {"name",  "description", "data_type",
                                              "tests", "data_tests",  "meta",
                                              "quote", "tags",        "constraints"};
const std::vector<std::string> kSourceKeys = {
    "name", "schema",          "database",  "description", "tables",          "config", "meta",
    "tags", "loaded_at_field", "freshness", "quoting",     "loaded_at_query", "loader"};
const std::vector<std::string> kTableKeys = {
    "name",       "identifier", "description", "columns",        "tests",
    "data_tests", "config",     "meta",        "tags",           "loaded_at_field",
    "freshness",  "external",   "quoting",     "loaded_at_query"};
// Keys of a test's arguments that are really config (dbt accepts both placements).
const std::vector<std::string> kTestConfigKeys = {
    "severity", "store_failures", "where",    "limit",   "fail_calc", "store_failures_as",
    "database", "warn_if",        "error_if", "enabled", "tags",      "meta",
    "alias",    "schema"};

bool contains(const std::vector<std::string>& list, const std::string& s) {
  for (const auto& item : list) {
    if (item == s) return true;
  }
  return false;
}

std::string optional_string(const std::string& file, const YamlNode& map, const char* key) {
  const YamlNode& node = map[key];
  if (!node || node.IsNull()) return "";
  return expect_string(file, node, key);
}

ConfigPatch parse_config(const std::string& file, const YamlNode& node, ResourceType type) {
  ConfigPatch patch;
  if (!node || node.IsNull()) return patch;
  expect_map(file, node, "config");
  for (const auto& entry : node.entries()) {
    std::string key = entry.first.Scalar();
    nlohmann::json value = yaml_to_json(entry.second);
    // Jinja ("{{ target.type != 'x' }}") is rendered once vars and target are known
    // (render_config_patch), then checked.
    if (!is_config_template(key, value)) {
      if (auto problem = normalize_config_entry(type, key, value)) {
        yaml_fail(file, entry.second, *problem);
      }
    }
    patch.push_back({key, std::move(value)});
  }
  return patch;
}

void check_test_arguments(const std::string& file, const YamlNode& at, const TestSpec& t) {
  auto require = [&](const char* key, const char* example) {
    if (!t.kwargs.contains(key)) {
      yaml_fail(file, at, "test '" + t.test_name + "' needs '" + key + "'",
                std::string("; write ") + example);
    }
  };
  if (t.test_name == "accepted_values") {
    require("values", "accepted_values: {values: [a, b]}");
    // A list, or Jinja giving one ("{{ var('codes') }}"), rendered when the test runs.
    const nlohmann::json& values = t.kwargs["values"];
    bool templated = values.is_string() &&
                     (values.get_ref<const std::string&>().find("{{") != std::string::npos ||
                      values.get_ref<const std::string&>().find("var(") != std::string::npos);
    if (!values.is_array() && !templated)
      yaml_fail(file, at, "accepted_values.values must be a list");
  } else if (t.test_name == "relationships") {
    require("to", "relationships: {to: \"ref('other')\", field: id}");
    require("field", "relationships: {to: \"ref('other')\", field: id}");
  } else if (t.test_name == "expression_is_true") {
    require("expression", "expression_is_true: {expression: \"amount >= 0\"}");
  }
}

// Splits a test's arguments into kwargs and config (from `config:` or top-level config keys).
void parse_test_arguments(const std::string& file, const YamlNode& args, TestSpec& t) {
  if (!args || args.IsNull()) return;
  expect_map(file, args, "the arguments of test '" + t.test_name + "'");
  for (const auto& entry : args.entries()) {
    std::string key = entry.first.Scalar();
    if (key == "config") {
      ConfigPatch c = parse_config(file, entry.second, ResourceType::kTest);
      t.config.insert(t.config.end(), c.begin(), c.end());
    } else if (key == "arguments") {
      expect_map(file, entry.second, "arguments");
      for (const auto& arg : entry.second.entries())
        t.kwargs[arg.first.Scalar()] = yaml_to_json(arg.second);
    } else if (contains(kTestConfigKeys, key)) {
      nlohmann::json value = yaml_to_json(entry.second);
      if (!is_config_template(key, value)) {
        if (auto problem = normalize_config_entry(ResourceType::kTest, key, value)) {
          yaml_fail(file, entry.second, *problem);
        }
      }
      t.config.push_back({key, std::move(value)});
    } else {
      t.kwargs[key] = yaml_to_json(entry.second);
    }
  }
}

TestSpec parse_test(const std::string& file, const YamlNode& item, const std::string& column) {
  TestSpec t;
  t.column_name = column;
  t.file = file;
  t.pos = yaml_pos(item);
  const YamlNode* args = nullptr;
  if (item.IsScalar()) {
    t.test_name = item.Scalar();
  } else if (item.IsMap() && item.size() == 1) {
    t.test_name = item.entries().front().first.Scalar();
    args = &item.entries().front().second;
  } else {
    yaml_fail(file, item, "a test must be a name (- not_null) or a one-key mapping",
              " (- accepted_values: {values: [a, b]})");
  }
  // A package prefix (dbt_utils.accepted_range) names where the test macro lives; the name alone
  // finds it (built in, or test_<name> among the project's macros: checked when the project is
  // assembled, since macros are not known yet here).
  if (auto dot = t.test_name.rfind('.'); dot != std::string::npos) {
    t.package = t.test_name.substr(0, dot);
    t.test_name.erase(0, dot + 1);
  }
  if (args != nullptr) parse_test_arguments(file, *args, t);
  check_test_arguments(file, item, t);
  return t;
}

void parse_tests(const std::string& file, const YamlNode& node, const std::string& key,
                 const std::string& column, std::vector<TestSpec>& out) {
  const YamlNode& list = node[key];
  if (!list || list.IsNull()) return;
  expect_list(file, list, key);
  for (const auto& item : list.items()) out.push_back(parse_test(file, item, column));
}

ColumnSpec parse_column(const std::string& file, const YamlNode& node, NodePatch& patch) {
  check_keys(file, node, kColumnKeys, "a column of '" + patch.name + "'");
  ColumnSpec c;
  if (!node["name"]) yaml_fail(file, node, "column has no 'name'", "; add '- name: my_column'");
  c.name = expect_string(file, node["name"], "column name");
  c.description = optional_string(file, node, "description");
  c.data_type = optional_string(file, node, "data_type");
  if (node["meta"]) c.meta = yaml_to_json(node["meta"]);
  parse_tests(file, node, "tests", c.name, patch.tests);
  parse_tests(file, node, "data_tests", c.name, patch.tests);
  return c;
}

NodePatch parse_node(const std::string& file, const YamlNode& node, ResourceType type,
                     const std::vector<std::string>& keys, const std::string& context) {
  check_keys(file, node, keys, context);
  NodePatch p;
  p.file = file;
  p.pos = yaml_pos(node);
  if (!node["name"]) yaml_fail(file, node, context + " has no 'name'", "; add 'name: ...'");
  p.name = expect_string(file, node["name"], "name");
  p.description = optional_string(file, node, "description");
  p.config = parse_config(file, node["config"], type);
  if (node["meta"]) p.meta = yaml_to_json(node["meta"]);
  if (node["tags"]) {
    nlohmann::json tags = yaml_to_json(node["tags"]);
    if (auto problem = normalize_config_entry(type, "tags", tags)) {
      yaml_fail(file, node["tags"], *problem);
    }
    p.config.push_back({"tags", std::move(tags)});
  }
  parse_tests(file, node, "tests", "", p.tests);
  parse_tests(file, node, "data_tests", "", p.tests);
  if (const YamlNode& columns = node["columns"]; columns && !columns.IsNull()) {
    expect_list(file, columns, "columns");
    for (const auto& column : columns.items()) p.columns.push_back(parse_column(file, column, p));
  }
  return p;
}

// `freshness:` of a source or table (its config's is checked with the other config keys).
void check_freshness(const std::string& file, const YamlNode& node) {
  const YamlNode& f = node["freshness"];
  if (!f) return;
  if (auto problem = freshness_problem(yaml_to_json(f))) yaml_fail(file, f, *problem);
}

SourceDef parse_source(const std::string& file, const YamlNode& node) {
  check_keys(file, node, kSourceKeys, "a source");
  SourceDef s;
  s.file = file;
  s.pos = yaml_pos(node);
  if (!node["name"]) yaml_fail(file, node, "source has no 'name'", "; add 'name: raw'");
  s.name = expect_string(file, node["name"], "source name");
  s.schema = optional_string(file, node, "schema");
  if (s.schema.empty()) s.schema = s.name;
  s.database = optional_string(file, node, "database");
  s.description = optional_string(file, node, "description");
  s.config = parse_config(file, node["config"], ResourceType::kSource);
  if (node["meta"]) s.meta = yaml_to_json(node["meta"]);
  for (const char* key :
       {"loaded_at_field", "loaded_at_query", "freshness", "quoting", "tags", "loader"}) {
    if (node[key]) s.extra[key] = yaml_to_json(node[key]);
  }
  check_freshness(file, node);
  const YamlNode& tables = node["tables"];
  if (!tables || tables.IsNull()) yaml_fail(file, node, "source '" + s.name + "' has no 'tables'");
  expect_list(file, tables, "tables");
  for (const auto& t : tables.items()) {
    SourceTableDef table;
    table.patch = parse_node(file, t, ResourceType::kSource, kTableKeys,
                             "a table of source '" + s.name + "'");
    table.identifier = optional_string(file, t, "identifier");
    for (const char* key :
         {"loaded_at_field", "loaded_at_query", "freshness", "external", "quoting"}) {
      if (t[key]) table.extra[key] = yaml_to_json(t[key]);
    }
    check_freshness(file, t);
    s.tables.push_back(std::move(table));
  }
  return s;
}

}  // namespace

const std::vector<std::string>& generic_test_names() {
  static const std::vector<std::string> kNames = {"not_null", "unique", "accepted_values",
                                                  "relationships", "expression_is_true"};
  return kNames;
}

SchemaFile parse_schema_file(const std::string& text, const std::string& file) {
  SchemaFile out;
  YamlNode root = parse_yaml(text, file);
  if (!root.IsDefined() || root.IsNull()) return out;
  std::vector<std::string> allowed = kTopKeys;
  allowed.insert(allowed.end(), kIgnoredTopKeys.begin(), kIgnoredTopKeys.end());
  check_keys(file, root, allowed, file);
  for (const auto& entry : root.entries()) {
    const std::string key = entry.first.Scalar();
    if (contains(kIgnoredTopKeys, key)) {
      log_warn("ignoring a dbt section Baliza does not use", {{"file", file}, {"section", key}});
    }
  }
  auto each = [&](const char* key, auto&& handle) {
    const YamlNode& list = root[key];
    if (!list || list.IsNull()) return;
    expect_list(file, list, key);
    for (const auto& item : list.items()) handle(item);
  };
  each("models", [&](const YamlNode& n) {
    out.models.push_back(parse_node(file, n, ResourceType::kModel, kNodeKeys, "a model"));
  });
  each("seeds", [&](const YamlNode& n) {
    out.seeds.push_back(parse_node(file, n, ResourceType::kSeed, kNodeKeys, "a seed"));
  });
  each("sources", [&](const YamlNode& n) { out.sources.push_back(parse_source(file, n)); });
  each("snapshots", [&](const YamlNode& n) {
    out.snapshots.push_back(parse_node(file, n, ResourceType::kSnapshot, kNodeKeys, "a snapshot"));
  });
  return out;
}

}  // namespace baliza::transform
