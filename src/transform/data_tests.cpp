#include "transform/data_tests.h"

#include "core/error.h"
#include "db/database.h"
#include "transform/jinja_literal.h"
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

std::string kwarg_string(const Node& test, const char* key) {
  const nlohmann::json& kw = test.test_metadata.kwargs;
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

// `to:` of a relationships test ("ref('x')" or "source('s','t')") rendered to a relation.
std::string relationships_target(const Project& project, const Node& test) {
  Template t = Template::parse("{{ " + kwarg_string(test, "to") + " }}", test.patch_path);
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

bool looks_like_relation_call(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  return b != std::string::npos &&
         (s.compare(b, 4, "ref(") == 0 || s.compare(b, 7, "source(") == 0);
}

// A {% test %} macro of the project: test_<name>(model=<tested relation>, column_name=...,
// the other arguments as written). A string argument spelled ref('x') / source('s', 't') is
// passed as that relation, as dbt does.
std::string custom_test_sql(const Project& project, const Compiler& compiler, const Node& test,
                            const std::string& from, nlohmann::json& macro_config) {
  const TestSpec& spec = test.test_metadata;
  std::string package;
  project.macros->find_test(spec.test_name, &package);
  std::string call = "{{ " + (package.empty() ? std::string() : package + ".") + "test_" +
                     spec.test_name + "(model=" + jinja_literal(from);
  if (!spec.column_name.empty()) call += ", column_name=" + jinja_literal(spec.column_name);
  if (spec.kwargs.is_object()) {
    for (const auto& [key, value] : spec.kwargs.items()) {
      if (key == "model" || key == "column_name") continue;
      bool relation = value.is_string() && looks_like_relation_call(value.get<std::string>());
      call += ", " + key + "=" + (relation ? value.get<std::string>() : jinja_literal(value));
    }
  }
  call += ") }}";
  return compiler.render_text(
      call, format_pos(test.patch_path, test.patch_pos) + " (test " + spec.test_name + ")", &test,
      false, nullptr, [&macro_config](const nlohmann::json& kwargs) {
        if (!macro_config.is_object()) macro_config = nlohmann::json::object();
        macro_config.update(kwargs);  // later config() calls win, as in dbt
      });
}

std::string generic_sql(const Project& project, const Compiler& compiler, const Node& test,
                        nlohmann::json& macro_config) {
  const TestSpec& spec = test.test_metadata;
  std::string from = tested_relation(project, compiler, test);
  std::string col = spec.column_name.empty() ? "" : quote_identifier(spec.column_name);
  const std::string& name = spec.test_name;
  if (name == "not_null") return "SELECT * FROM " + from + " WHERE " + col + " IS NULL";
  if (name == "unique") {
    return "SELECT " + col + " AS unique_field, count(*) AS n_records FROM " + from + " WHERE " +
           col + " IS NOT NULL GROUP BY " + col + " HAVING count(*) > 1";
  }
  if (name == "accepted_values") {
    const nlohmann::json& kw = spec.kwargs;
    bool quote = !(kw.is_object() && kw.contains("quote") && kw["quote"] == false);
    std::string values;
    if (kw.is_object() && kw.contains("values") && kw["values"].is_array())
      for (const auto& v : kw["values"]) values += (values.empty() ? "" : ", ") + literal(v, quote);
    if (values.empty()) kwarg_string(test, "values");  // throws: values are required
    return "SELECT " + col + " AS value_field, count(*) AS n_records FROM " + from + " WHERE " +
           col + " IS NOT NULL AND " + col + " NOT IN (" + values + ") GROUP BY " + col;
  }
  if (name == "relationships") {
    std::string parent = relationships_target(project, test);
    std::string field = quote_identifier(kwarg_string(test, "field"));
    return "SELECT child." + col + " AS from_field FROM " + from + " AS child LEFT JOIN " + parent +
           " AS parent ON child." + col + " = parent." + field + " WHERE child." + col +
           " IS NOT NULL AND parent." + field + " IS NULL";
  }
  if (name == "expression_is_true") {
    std::string expr = kwarg_string(test, "expression");
    if (!col.empty()) expr = col + " " + expr;
    return "SELECT * FROM " + from + " WHERE NOT (" + expr + ")";
  }
  if (project.macros->find_test(name, nullptr) != nullptr)
    return custom_test_sql(project, compiler, test, from, macro_config);
  throw usage_error("unknown test '" + name + "' at " +
                    format_pos(test.patch_path, test.patch_pos));
}

}  // namespace

TestQuery test_query(const Project& project, const Compiler& compiler, const Node& test) {
  TestQuery q;
  q.sql = test.is_generic_test ? generic_sql(project, compiler, test, q.macro_config)
                               : compiler.compile(test, false).sql;
  return q;
}

}  // namespace baliza::transform
