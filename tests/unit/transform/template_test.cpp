#include "transform/template.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace baliza::transform {
namespace {

RenderContext test_context(const nlohmann::json* vars = nullptr) {
  RenderContext ctx;
  ctx.resolve_ref = [](const TemplateRef& r) -> std::optional<std::string> {
    if (r.name == "missing") return std::nullopt;
    return "\"main\".\"" + r.name + "\"";
  };
  ctx.resolve_source = [](const TemplateSource& s) -> std::optional<std::string> {
    return "\"" + s.source_name + "\".\"" + s.table_name + "\"";
  };
  ctx.vars = vars;
  ctx.this_relation = "\"marts\".\"me\"";
  return ctx;
}

std::string render(const std::string& text, const RenderContext& ctx = test_context()) {
  return Template::parse(text, "models/t.sql").render(ctx);
}

// Returns the usage error message thrown by parsing (and rendering) `text`.
std::string error_of(const std::string& text, const RenderContext& ctx = test_context()) {
  try {
    Template::parse(text, "models/a.sql").render(ctx);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << text;
  return "";
}

TEST(Template, PlainTextIsUnchanged) {
  EXPECT_EQ(render("select 1 as x, '{' as brace"), "select 1 as x, '{' as brace");
}

TEST(Template, RefWithSingleOrDoubleQuotesAndPackage) {
  EXPECT_EQ(render("select * from {{ ref('orders') }}"), "select * from \"main\".\"orders\"");
  EXPECT_EQ(render("select * from {{ref(\"orders\")}}"), "select * from \"main\".\"orders\"");
  auto t = Template::parse("{{ ref('pkg', 'm') }}", "x.sql");
  ASSERT_EQ(t.refs().size(), 1u);
  EXPECT_EQ(t.refs()[0].package, "pkg");
  EXPECT_EQ(t.refs()[0].name, "m");
}

TEST(Template, SourceRendersThroughResolver) {
  EXPECT_EQ(render("from {{ source('raw', 'api_requests') }}"), "from \"raw\".\"api_requests\"");
}

TEST(Template, ThisRendersCurrentRelation) {
  EXPECT_EQ(render("select max(id) from {{ this }}"), "select max(id) from \"marts\".\"me\"");
}

TEST(Template, ConfigRendersNothingAndIsEvaluated) {
  auto t = Template::parse(
      "{{ config(materialized='incremental', unique_key=['a', 'b'], tags=['x'], "
      "incremental_strategy='merge', full_refresh=false, schema=var('s', 'dflt')) }}\nselect 1",
      "m.sql");
  EXPECT_EQ(t.render(test_context()), "\nselect 1");
  auto args = t.config(nlohmann::json::object());
  ASSERT_EQ(args.size(), 6u);
  EXPECT_EQ(args[0].key, "materialized");
  EXPECT_EQ(args[0].value, "incremental");
  EXPECT_EQ(args[1].value, nlohmann::json::array({"a", "b"}));
  EXPECT_EQ(args[4].value, false);
  EXPECT_EQ(args[5].value, "dflt");
  EXPECT_EQ(t.config({{"s", "from_vars"}})[5].value, "from_vars");
}

TEST(Template, VarFromVarsOrDefaultOrError) {
  nlohmann::json vars = {{"start", "2024-01-01"}, {"n", 3}, {"flag", true}};
  auto ctx = test_context(&vars);
  EXPECT_EQ(render("'{{ var('start') }}' {{ var('n') }} {{ var('flag') }}", ctx),
            "'2024-01-01' 3 True");
  EXPECT_EQ(render("{{ var('absent', 'dflt') }}-{{ var(\"absent\", 7) }}", ctx), "dflt-7");
  std::string message = error_of("select\n  {{ var('nope') }}", ctx);
  EXPECT_NE(message.find("missing var 'nope' at models/a.sql:2:6"), std::string::npos) << message;
  EXPECT_NE(message.find("--vars"), std::string::npos) << message;
}

TEST(Template, IsIncrementalBranches) {
  std::string text =
      "select * from src\n{% if is_incremental() %}where id > (select max(id) from {{ this }})"
      "{% else %}where true{% endif %}";
  auto t = Template::parse(text, "m.sql");
  EXPECT_TRUE(t.uses_is_incremental());
  auto ctx = test_context();
  EXPECT_EQ(t.render(ctx), "select * from src\nwhere true");
  ctx.is_incremental = true;
  EXPECT_EQ(t.render(ctx), "select * from src\nwhere id > (select max(id) from \"marts\".\"me\")");
}

TEST(Template, NotIsIncrementalAndElif) {
  auto t = Template::parse("{% if not is_incremental() %}full{% endif %}", "m.sql");
  auto ctx = test_context();
  EXPECT_EQ(t.render(ctx), "full");
  ctx.is_incremental = true;
  EXPECT_EQ(t.render(ctx), "");
  nlohmann::json vars = {{"mode", "b"}};
  EXPECT_EQ(
      render("{% if var('mode') == 'a' %}A{% elif var('mode') == 'b' %}B{% else %}C{% endif %}",
             test_context(&vars)),
      "B");
}

TEST(Template, CommentsAreDropped) {
  EXPECT_EQ(render("select {# a {{ ref('x') }} comment #}1"), "select 1");
  EXPECT_TRUE(Template::parse("{# {{ ref('x') }} #}", "m.sql").refs().empty());
}

TEST(Template, WhitespaceControl) {
  EXPECT_EQ(render("a  \n  {%- if true %}b{% endif %}"), "ab");
  EXPECT_EQ(render("{% if true -%}\n   b\n{%- endif %}"), "b");
  EXPECT_EQ(render("x {{- ' y ' -}} z"), "x y z");
  EXPECT_EQ(render("x\n{#- note -#}\ny"), "xy");
  // Without the dash whitespace is kept, as in Jinja's defaults.
  EXPECT_EQ(render("a\n{% if true %}\nb\n{% endif %}\n"), "a\n\nb\n\n");
}

TEST(Template, CollectsDependenciesFromEveryBranchWithPositions) {
  auto t = Template::parse(
      "select *\nfrom {{ ref('a') }}\n{% if is_incremental() %}join {{ ref('b') }}{% endif %}\n"
      "join {{ source('raw', 'requests') }} using (id) -- {{ var('v', 1) }}",
      "models/m.sql");
  ASSERT_EQ(t.refs().size(), 2u);
  EXPECT_EQ(t.refs()[0].name, "a");
  EXPECT_EQ(t.refs()[0].pos.line, 2);
  EXPECT_EQ(t.refs()[0].pos.column, 9);
  EXPECT_EQ(t.refs()[1].name, "b");
  EXPECT_EQ(t.refs()[1].pos.line, 3);
  ASSERT_EQ(t.sources().size(), 1u);
  EXPECT_EQ(t.sources()[0].source_name, "raw");
  EXPECT_EQ(t.sources()[0].table_name, "requests");
  ASSERT_EQ(t.vars().size(), 1u);
  EXPECT_TRUE(t.vars()[0].has_default);
}

TEST(Template, UnknownFunctionSuggestsClosest) {
  EXPECT_EQ(error_of("select 1\nfrom x\njoin {{ reff('a') }}"),
            "unknown function 'reff' at models/a.sql:3:9; did you mean 'ref'?");
}

TEST(Template, UnclosedDelimitersPointAtTheOpener) {
  EXPECT_EQ(error_of("select\n {{ ref('a') "),
            "unclosed '{{' at models/a.sql:2:2; add '}}' to close it");
  EXPECT_EQ(error_of("{% if true "), "unclosed '{%' at models/a.sql:1:1; add '%}' to close it");
  EXPECT_EQ(error_of("x {# note"),
            "unclosed comment '{#' at models/a.sql:1:3; add '#}' to close it");
  EXPECT_EQ(error_of("\n{% if true %}x"),
            "unclosed '{% if %}' at models/a.sql:2:1; add '{% endif %}'");
}

TEST(Template, UnknownTagNamesTheSupportedOnes) {
  std::string message = error_of("{% fi %}");
  EXPECT_NE(message.find("unknown tag 'fi' at models/a.sql:1:4"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean"), std::string::npos) << message;
  EXPECT_NE(message.find("'if'?"), std::string::npos) << message;
  EXPECT_NE(message.find("supported tags: if, elif, else, endif"), std::string::npos) << message;
  EXPECT_NE(error_of("{% endif %}").find("no matching '{% if %}'"), std::string::npos);
}

TEST(Template, RefWithComputedArgumentsRendersAndUndefinedNamesFail) {
  // dbt accepts computed ref() arguments; an undefined one fails where it is used.
  EXPECT_EQ(error_of("{{ ref(name) }}"), "undefined name 'name' at models/a.sql:1:8");
  EXPECT_EQ(render("{% for m in ['a', 'b'] %}{{ ref(m) }} {% endfor %}"),
            "\"main\".\"a\" \"main\".\"b\" ");
  EXPECT_NE(error_of("{{ config('table') }}").find("keyword arguments only"), std::string::npos);
}

TEST(Template, UnknownRefAtRenderTimeHasPosition) {
  EXPECT_EQ(error_of("\n  {{ ref('missing') }}"),
            "ref('missing') does not name a model or seed at models/a.sql:2:6");
}

TEST(Template, EnvVarWithDefault) {
  EXPECT_EQ(render("{{ env_var('BALIZA_TEST_SURELY_UNSET', 'd') }}"), "d");
}

TEST(Template, UndefinedNameIsAnError) {
  EXPECT_EQ(error_of("{{ thsi }}"),
            "undefined name 'thsi' at models/a.sql:1:4; did you mean 'this'?");
}

}  // namespace
}  // namespace baliza::transform
