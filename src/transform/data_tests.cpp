#include "transform/data_tests.h"

#include <functional>

#include "core/error.h"
#include "db/database.h"
#include "transform/jinja_literal.h"
#include "transform/project_config_render.h"
#include "transform/relation.h"

namespace baliza::transform {
namespace {

constexpr std::size_t kSampleRows = 5;

std::string literal(const nlohmann::json& value, bool quote) {
  if (value.is_string()) {
    return quote ? quote_literal(value.get<std::string>()) : value.get<std::string>();
  }
  return value.dump();
}

std::string kwarg_string(const Node& test, const nlohmann::json& kw, const char* key) {
  if (!kw.is_object() || !kw.contains(key) || !kw[key].is_string()) {
    throw usage_error("test " + test.name + " at " + format_pos(test.patch_path, test.patch_pos) +
                      " needs '" + key + "'; add it under the test's arguments");
  }
  return kw[key].get<std::string>();
}

// The tested relation, filtered by the test's `where` config (as dbt's get_where_subquery).
std::string tested_relation(const Project& project, const Compiler& compiler, const Node& test) {
  const Node* attached = project.find(test.attached_node);
  if (attached == nullptr) throw usage_error("test " + test.name + " tests an unknown node");
  std::string relation = relation_sql(*attached);
  const nlohmann::json& extra = test.config.extra;
  if (extra.is_object() && extra.contains("where") && !extra["where"].is_null()) {
    if (!extra["where"].is_string()) {
      throw usage_error(
          "where of test " + test.name + " at " + format_pos(test.patch_path, test.patch_pos) +
          " must be a SQL condition such as \"status = 'open'\"; got " + extra["where"].dump());
    }
    std::string where = extra["where"].get<std::string>();
    if (where.find("{{") != std::string::npos || where.find("{%") != std::string::npos) {
      where = compiler.render_text(where, format_pos(test.patch_path, test.patch_pos) + " (where)",
                                   &test);
    }
    relation = "(SELECT * FROM " + relation + " WHERE " + where + ") AS dbt_subquery";
  }
  return relation;
}

bool looks_like_relation_call(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  return b != std::string::npos &&
         (s.compare(b, 4, "ref(") == 0 || s.compare(b, 7, "source(") == 0);
}

// dbt renders a bare var('x') / env_var('X') / doc('d') argument as if written in {{ }}.
bool looks_like_value_call(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return false;
  std::size_t e = s.find_last_not_of(" \t\n");
  if (s[e] != ')') return false;
  for (std::string_view f : {"var", "env_var", "doc"}) {
    if (s.compare(b, f.size(), f) != 0) continue;
    std::size_t p = s.find_first_not_of(" \t", b + f.size());
    if (p != std::string::npos && s[p] == '(') return true;
  }
  return false;
}

// The test's arguments as dbt passes them (its add_rendered_test_kwargs): every string, also
// inside lists and dicts, that holds Jinja is rendered in the test's context and taken natively
// ("{{ var('codes') }}" gives the var's list), a bare var()/env_var()/doc() call likewise;
// column_name and ref()/source() strings stay as written (they are used as a column and as
// relations below).
nlohmann::json rendered_kwargs(const Compiler& compiler, const Node& test) {
  const nlohmann::json& kw = test.test_metadata.kwargs;
  if (!kw.is_object()) return kw;
  const std::string where = format_pos(test.patch_path, test.patch_pos) + " (arguments of test " +
                            test.test_metadata.test_name + ")";
  std::function<nlohmann::json(const nlohmann::json&)> walk = [&](const nlohmann::json& v) {
    if (v.is_array()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : v) out.push_back(walk(item));
      return out;
    }
    if (v.is_object()) {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, item] : v.items()) out[k] = walk(item);
      return out;
    }
    if (!v.is_string()) return v;
    const std::string& text = v.get_ref<const std::string&>();
    if (looks_like_relation_call(text)) return v;
    std::string jinja = looks_like_value_call(text) ? "{{ " + text + " }}" : text;
    if (jinja.find("{{") == std::string::npos && jinja.find("{%") == std::string::npos) return v;
    return native_value(compiler.render_text(jinja, where, &test));
  };
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, item] : kw.items()) out[k] = k == "column_name" ? item : walk(item);
  return out;
}

// `to:` of a relationships test ("ref('x')" or "source('s','t')") rendered to a relation.
std::string relationships_target(const Project& project, const Node& test,
                                 const nlohmann::json& kwargs) {
  std::string to = kwarg_string(test, kwargs, "to");
  if (!looks_like_relation_call(to)) return to;  // already rendered ("{{ ref('x') }}")
  Template t = Template::parse("{{ " + to + " }}", test.patch_path);
  RenderContext ctx;
  ctx.resolve_ref = [&](const TemplateRef& r) -> std::optional<std::string> {
    const Node* n = project.find_ref(r.name);
    return n ? std::optional<std::string>(relation_sql(*n)) : std::nullopt;
  };
  ctx.resolve_source = [&](const TemplateSource& s) -> std::optional<std::string> {
    const Node* n = project.find_source(s.source_name, s.table_name);
    return n ? std::optional<std::string>(relation_sql(*n)) : std::nullopt;
  };
  ctx.vars = &project.vars;
  return t.render(ctx);
}

// A {% test %} macro of the project: test_<name>(model=<tested relation>, column_name=...,
// the other arguments as written). A string argument spelled ref('x') / source('s', 't') is
// passed as that relation, as dbt does.
std::string custom_test_sql(const Project& project, const Compiler& compiler, const Node& test,
                            const nlohmann::json& kwargs, const std::string& from,
                            nlohmann::json& macro_config, Connection* conn) {
  const TestSpec& spec = test.test_metadata;
  std::string package;
  project.macros->find_test(spec.test_name, &package, spec.package);
  // `model` is a Relation, as dbt passes it (macros check it: dbt_utils' _is_relation, .schema,
  // adapter.get_columns_in_relation(model)); with a `where` filter it is the subquery text.
  std::string model = jinja_literal(from);
  const Node* attached = project.find(test.attached_node);
  if (attached != nullptr && from == relation_sql(*attached) &&
      attached->config.materialized != "ephemeral" &&
      !(attached->resource_type == ResourceType::kSource && attached->source_extra.is_object() &&
        attached->source_extra.contains("external_location"))) {
    bool view =
        attached->resource_type == ResourceType::kModel && attached->config.materialized == "view";
    model = "api.Relation.create(database=" +
            (attached->database.empty() ? std::string("none") : jinja_literal(attached->database)) +
            ", schema=" + jinja_literal(node_schema(*attached)) +
            ", identifier=" + jinja_literal(node_identifier(*attached)) +
            ", type=" + jinja_literal(view ? "view" : "table") + ")";
  }
  std::string call = "{{ " + (package.empty() ? std::string() : package + ".") + "test_" +
                     spec.test_name + "(model=" + model;
  if (!spec.column_name.empty()) call += ", column_name=" + jinja_literal(spec.column_name);
  if (kwargs.is_object()) {
    for (const auto& [key, value] : kwargs.items()) {
      if (key == "model" || key == "column_name") continue;
      bool relation = value.is_string() && looks_like_relation_call(value.get<std::string>());
      call += ", " + key + "=" + (relation ? value.get<std::string>() : jinja_literal(value));
    }
  }
  call += ") }}";
  return compiler.render_text(
      call, format_pos(test.patch_path, test.patch_pos) + " (test " + spec.test_name + ")", &test,
      false, conn, [&macro_config](const nlohmann::json& kwargs) {
        if (!macro_config.is_object()) macro_config = nlohmann::json::object();
        macro_config.update(kwargs);  // later config() calls win, as in dbt
      });
}

std::string generic_sql(const Project& project, const Compiler& compiler, const Node& test,
                        nlohmann::json& macro_config, Connection* conn) {
  const TestSpec& spec = test.test_metadata;
  const nlohmann::json kw = rendered_kwargs(compiler, test);
  std::string from = tested_relation(project, compiler, test);
  std::string col = spec.column_name.empty() ? "" : quote_identifier(spec.column_name);
  const std::string& name = spec.test_name;
  if (name == "not_null") return "SELECT * FROM " + from + " WHERE " + col + " IS NULL";
  if (name == "unique") {
    return "SELECT " + col + " AS unique_field, count(*) AS n_records FROM " + from + " WHERE " +
           col + " IS NOT NULL GROUP BY " + col + " HAVING count(*) > 1";
  }
  if (name == "accepted_values") {
    bool quote = !(kw.is_object() && kw.contains("quote") && kw["quote"] == false);
    std::string values;
    if (kw.is_object() && kw.contains("values") && kw["values"].is_array())
      for (const auto& v : kw["values"]) values += (values.empty() ? "" : ", ") + literal(v, quote);
    if (!kw.is_object() || !kw.contains("values") || !kw["values"].is_array() ||
        kw["values"].empty()) {
      throw usage_error(
          "accepted_values.values of test " + test.name + " at " +
          format_pos(test.patch_path, test.patch_pos) + " must be a non-empty list; got " +
          (kw.is_object() && kw.contains("values") ? kw["values"].dump() : std::string("nothing")));
    }
    return "SELECT " + col + " AS value_field, count(*) AS n_records FROM " + from + " WHERE " +
           col + " IS NOT NULL AND " + col + " NOT IN (" + values + ") GROUP BY " + col;
  }
  if (name == "relationships") {
    std::string parent = relationships_target(project, test, kw);
    std::string field = quote_identifier(kwarg_string(test, kw, "field"));
    return "SELECT child." + col + " AS from_field FROM " + from + " AS child LEFT JOIN " + parent +
           " AS parent ON child." + col + " = parent." + field + " WHERE child." + col +
           " IS NOT NULL AND parent." + field + " IS NULL";
  }
  if (name == "expression_is_true") {
    std::string expr = kwarg_string(test, kw, "expression");
    if (!col.empty()) expr = col + " " + expr;
    return "SELECT * FROM " + from + " WHERE NOT (" + expr + ")";
  }
  if (project.macros->find_test(name, nullptr) != nullptr)
    return custom_test_sql(project, compiler, test, kw, from, macro_config, conn);
  throw usage_error("unknown test '" + name + "' at " +
                    format_pos(test.patch_path, test.patch_pos));
}

}  // namespace

TestQuery test_query(const Project& project, const Compiler& compiler, const Node& test,
                     Connection* conn) {
  TestQuery q;
  q.sql = test.is_generic_test ? generic_sql(project, compiler, test, q.macro_config, conn)
                               : compiler.compile(test, false, nullptr, conn).sql;
  return q;
}

}  // namespace baliza::transform
