// Macros ({% macro %} files under macros/) and {% set %}, through the project loader, the
// compiler, the DAG, state checksums and the manifest.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "support/temp_dir.h"
#include "transform/artifacts.h"
#include "transform/compiler.h"
#include "transform/dag.h"
#include "transform/project.h"
#include "transform/relation.h"
#include "transform/state.h"
#include "transform/template.h"

namespace baliza::transform {
namespace {

using baliza::testing::TempDir;

const char* kUtilMacros = R"(-- helpers shared by the models (this text is ignored)
{% macro cents(col, scale=100, suffix='_c') -%}
round({{ col }} * {{ scale }}) as {{ col ~ suffix }}
{%- endmacro %}

{% macro money(col) -%}
{{ cents(col, suffix='_m') }}
{%- endmacro %}
)";

std::vector<ProjectFile> with_files(std::vector<ProjectFile> extra) {
  std::vector<ProjectFile> files{{"baliza.yml", "name: shop\n"}};
  files.insert(files.end(), extra.begin(), extra.end());
  return files;
}

Project load(std::vector<ProjectFile> extra) {
  return load_project_files(with_files(std::move(extra)), "embedded:shop");
}

std::string load_error(std::vector<ProjectFile> extra) {
  try {
    load(std::move(extra));
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    return e.what();
  }
  ADD_FAILURE() << "loading succeeded";
  return "";
}

std::string render(const Project& p, const std::string& id, bool incremental = false) {
  const Node* n = p.find(id);
  EXPECT_NE(n, nullptr) << id;
  if (n == nullptr) return "";
  return Compiler(p).render(*n, incremental);
}

// Renders model m (models/m.sql holding `model`) with the util macros; returns the error.
std::string render_error(const std::string& model, std::vector<ProjectFile> extra = {}) {
  extra.push_back({"macros/util.sql", kUtilMacros});
  extra.push_back({"models/m.sql", model});
  try {
    Project p = load(std::move(extra));
    render(p, "model.shop.m");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    return e.what();
  }
  ADD_FAILURE() << "no error for: " << model;
  return "";
}

TEST(TemplateMacro, PositionalKeywordAndDefaultArguments) {
  Project p = load({{"macros/util.sql", kUtilMacros},
                    {"models/m.sql",
                     "select {{ cents('x') }}, {{ cents('y', 10) }}, "
                     "{{ cents(col='z', suffix='_k') }}, {{ cents('w', scale=var('s', 7)) }}"}});
  EXPECT_EQ(render(p, "model.shop.m"),
            "select round(x * 100) as x_c, round(y * 10) as y_c, round(z * 100) as z_k, "
            "round(w * 7) as w_c");
}

TEST(TemplateMacro, NestedCallsAndConditionsOnArguments) {
  Project p = load(
      {{"macros/util.sql", kUtilMacros},
       {"macros/kinds.sql",
        "{% macro pick(kind, cols=['a', 'b']) -%}\n"
        "{% if kind == 'money' %}{{ money('v') }}{% elif kind == 'list' %}"
        "{{ cols }}{% else %}{{ kind }}{% endif %}\n"
        "{%- endmacro %}"},
       {"models/m.sql", "{{ pick('money') }} | {{ pick('list') }} | {{ pick(kind='other') }}"}});
  EXPECT_EQ(render(p, "model.shop.m"), "round(v * 100) as v_m | ['a', 'b'] | other");
  const Node* m = p.find("model.shop.m");
  EXPECT_EQ(m->tmpl->macros(), (std::vector<std::string>{"cents", "money", "pick"}));
}

TEST(TemplateMacro, BodyKeepsItsWhitespaceLikeJinja) {
  Project p = load({{"macros/m.sql", "{% macro hi(who) %}\nhello {{ who }}\n{% endmacro %}"},
                    {"models/m.sql", "[{{ hi('you') }}]"}});
  EXPECT_EQ(render(p, "model.shop.m"), "[\nhello you\n]");
}

TEST(TemplateMacro, RefInsideAMacroIsADependencyOfTheCaller) {
  Project p = load({{"macros/from_orders.sql",
                     "{% macro from_orders() %}from {{ ref('orders') }}{% endmacro %}\n"
                     "{% macro via() %}{{ from_orders() }}{% endmacro %}"},
                    {"models/orders.sql", "select 1 as id"},
                    {"models/report.sql", "select *\n  {{ via() }}"}});
  const Node* report = p.find("model.shop.report");
  ASSERT_NE(report, nullptr);
  ASSERT_EQ(report->refs.size(), 1u);
  EXPECT_EQ(report->refs[0].name, "orders");
  EXPECT_EQ(report->refs[0].pos.line, 2);  // the call in report.sql that reaches the ref
  EXPECT_EQ(report->refs[0].pos.column, 6);

  Dag dag = Dag::build(p);
  auto report_index = dag.index_of("model.shop.report");
  ASSERT_TRUE(report_index.has_value());
  ASSERT_EQ(dag.parents(*report_index).size(), 1u);
  EXPECT_EQ(dag.id(dag.parents(*report_index)[0]), "model.shop.orders");
  EXPECT_EQ(render(p, "model.shop.report"),
            "select *\n  from " + relation_sql(*p.find("model.shop.orders")));
}

TEST(TemplateMacro, MissingRefInsideAMacroPointsAtTheCall) {
  Project p = load({{"macros/a.sql", "{% macro bad() %}{{ ref('nope') }}{% endmacro %}"},
                    {"models/m.sql", "select\n {{ bad() }}"}});
  try {
    Dag::build(p);
    ADD_FAILURE() << "Dag::build succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("ref('nope') does not match any model or seed at "
                                         "models/m.sql:2:5"),
              0u)
        << e.what();
  }
}

TEST(TemplateMacro, ThisAndIsIncrementalAreTheCallers) {
  Project p =
      load({{"macros/incr.sql",
             "{% macro since_last(col) -%}\n"
             "{% if is_incremental() %}where {{ col }} > (select max({{ col }}) from {{ this }})"
             "{% else %}where true{% endif %}\n"
             "{%- endmacro %}"},
            {"models/events.sql",
             "{{ config(materialized='incremental', unique_key='id') }}select * from t {{ "
             "since_last('id') "
             "}}"}});
  const Node* events = p.find("model.shop.events");
  ASSERT_NE(events, nullptr);
  EXPECT_TRUE(events->tmpl->uses_is_incremental());
  std::string me = relation_sql(*events);
  EXPECT_EQ(render(p, "model.shop.events", false), "select * from t where true");
  EXPECT_EQ(render(p, "model.shop.events", true),
            "select * from t where id > (select max(id) from " + me + ")");
}

TEST(TemplateMacro, SetAssignsVariablesInModelsAndMacros) {
  Project p =
      load({{"macros/s.sql",
             "{% macro labelled(n) %}{% set label = 'col_' ~ n %}{{ label }}{% endmacro %}"},
            {"models/m.sql",
             "{% set n = 3 %}{% set cols = ['a', 'b'] %}{% set big = n > 2 %}"
             "select {{ n }} as {{ labelled(n) }}{% if big %}, {{ cols }}{% endif %}"}});
  EXPECT_EQ(render(p, "model.shop.m"), "select 3 as col_3, ['a', 'b']");
  // A macro's variables stay inside it.
  std::string message = render_error("{{ cents('x') }} {{ scale }}");
  EXPECT_EQ(message.find("undefined name 'scale' at models/m.sql:1:21"), 0u) << message;
  EXPECT_EQ(Template::parse("{% set x = 'a' %}{% set x = x ~ 'b' %}{{ x }}", "t.sql")
                .render(RenderContext{}),
            "ab");
}

TEST(TemplateMacro, UnknownMacroSuggestsTheClosest) {
  EXPECT_EQ(
      load_error({{"macros/util.sql", kUtilMacros}, {"models/m.sql", "select\n {{ centz('x') }}"}}),
      "unknown macro 'centz' at models/m.sql:2:5; did you mean 'cents'?");
  std::string message = load_error({{"models/m.sql", "{{ nothing_like_it() }}"}});
  EXPECT_EQ(message.find("unknown macro 'nothing_like_it' at models/m.sql:1:4; define it in a "
                         ".sql file under macros/"),
            0u)
      << message;
  // Inside a macro, an unknown call points into the macro file.
  EXPECT_EQ(load_error({{"macros/a.sql", "{% macro a() %}\n  {{ monye('x') }}{% endmacro %}"},
                        {"macros/util.sql", kUtilMacros}}),
            "unknown macro 'monye' at macros/a.sql:2:6; did you mean 'money'?");
}

TEST(TemplateMacro, WrongArgumentsNameTheMacroAndItsSignature) {
  std::string hint = "; its signature is cents(col, scale=100, suffix='_c') (macros/util.sql:2:10)";
  EXPECT_EQ(render_error("{{ cents('a', 1, 'b', 'c') }}"),
            "macro 'cents' takes 3 argument(s), got 4 at models/m.sql:1:4" + hint);
  EXPECT_EQ(
      render_error("{{ cents('a', sufix='_x') }}"),
      "macro 'cents' has no argument 'sufix' at models/m.sql:1:21; did you mean 'suffix'?" + hint);
  EXPECT_EQ(render_error("{{ cents('a', col='b') }}"),
            "argument 'col' of macro 'cents' is given twice (by position and by name) at "
            "models/m.sql:1:19" +
                hint);
}

// As Jinja calls macros: an argument neither given nor defaulted is Undefined, which prints
// nothing and is false (real packages call macros so: dbt_utils.pretty_log_format()).
TEST(TemplateMacro, AMissingArgumentIsUndefined) {
  Project p = load({{"macros/util.sql", kUtilMacros},
                    {"macros/opt.sql",
                     "{% macro opt(a, b) %}{% if b %}b={{ b }}{% else %}no b{% endif %}"
                     "{% endmacro %}"},
                    {"models/m.sql", "select {{ cents(scale=2) }} -- {{ opt(1) }}"}});
  EXPECT_EQ(render(p, "model.shop.m"), "select round( * 2) as _c -- no b");
}

TEST(TemplateMacro, ErrorsInsideAMacroNameTheCall) {
  std::string message =
      render_error("select {{ needs_var() }}",
                   {{"macros/v.sql", "{% macro needs_var() %}{{ var('absent') }}{% endmacro %}"}});
  EXPECT_EQ(message.find("missing var 'absent' at macros/v.sql:1:27"), 0u) << message;
  EXPECT_NE(message.find("(in macro 'needs_var' called at models/m.sql:1:11)"), std::string::npos)
      << message;
}

TEST(TemplateMacro, MissingEndmacro) {
  EXPECT_EQ(
      load_error({{"macros/a.sql", "{% macro ok() %}x{% endmacro %}\n{% macro a() %}\nselect 1"}}),
      "unclosed '{% macro %}' at macros/a.sql:2:1; add '{% endmacro %}'");
  EXPECT_EQ(load_error({{"macros/a.sql", "{% macro a() %}{% if true %}x{% endmacro %}"}}),
            "unexpected '{% endmacro %}' inside '{% if %}' at macros/a.sql:1:33; close the if "
            "with '{% endif %}' first");
  std::string message = load_error({{"models/m.sql", "select 1\n{% endmacro %}"}});
  EXPECT_EQ(message,
            "unexpected '{% endmacro %}' at models/m.sql:2:4; it has no matching "
            "'{% macro %}'");
}

TEST(TemplateMacro, RecursionDeeperThanFiftyNamesTheChain) {
  std::string message =
      render_error("select {{ ping(1) }}", {{"macros/r.sql",
                                             "{% macro ping(n) %}{{ pong(n) }}{% endmacro %}\n"
                                             "{% macro pong(n) %}{{ ping(n) }}{% endmacro %}"}});
  EXPECT_EQ(message.find("macro calls nested deeper than 50: ping -> pong -> ping -> ... at "
                         "macros/r.sql:"),
            0u)
      << message;
  EXPECT_NE(message.find("; make the recursion stop"), std::string::npos) << message;
  EXPECT_NE(message.find("(in macro 'ping' called at models/m.sql:1:11)"), std::string::npos)
      << message;
}

TEST(TemplateMacro, MacroInAModelFileIsLocalToIt) {
  // As in Jinja (and dbt): a macro defined in a model is callable after its definition.
  Project p = load(
      {{"models/m.sql", "{% macro helper(x) %}<{{ x }}>{% endmacro %}select {{ helper(1) }}"}});
  EXPECT_EQ(render(p, "model.shop.m"), "select <1>");
  std::string message = load_error({{"models/m.sql", "{% test t(model) %}x{% endtest %}"}});
  EXPECT_EQ(message.find("test 't' is defined in a model or test file at models/m.sql:1:4"), 0u)
      << message;
}

TEST(TemplateMacro, BuiltinNamesAreRejectedInMacroFilesConfigIsNot) {
  // config() in a macro (dbt_utils' test macros set fail_calc so) acts when the macro renders.
  Project p =
      load({{"macros/a.sql", "{% macro a() %}{{ config(fail_calc='sum(n)') }}a{% endmacro %}"},
            {"models/m.sql", "select '{{ a() }}' as x"}});
  EXPECT_EQ(render(p, "model.shop.m"), "select 'a' as x");
  std::string message =
      load_error({{"macros/a.sql", "{% macro a() %}\n{{ config('table') }}{% endmacro %}"}});
  EXPECT_EQ(message.find("config() takes keyword arguments only at macros/a.sql:2:11"), 0u)
      << message;
  message = load_error({{"macros/a.sql", "{% macro ref(x) %}{% endmacro %}"}});
  EXPECT_EQ(message.find("macro 'ref' has the name of a built-in function at macros/a.sql:1:10"),
            0u)
      << message;
}

TEST(TemplateMacro, DuplicateNamesNameBothPlaces) {
  EXPECT_EQ(load_error({{"macros/a.sql", "{% macro twice() %}a{% endmacro %}"},
                        {"macros/sub/b.sql", "\n\n{% macro twice() %}b{% endmacro %}"}}),
            "duplicate macro 'twice': macros/a.sql:1:10 and macros/sub/b.sql:3:10; rename or "
            "remove one of them (macro names are unique across the project)");
}

TEST(TemplateMacro, SingularTestsCallMacros) {
  Project p = load({{"macros/util.sql", kUtilMacros},
                    {"models/orders.sql", "select 1 as amount"},
                    {"macros/checks.sql",
                     "{% macro negative(model, col) %}select * from {{ ref('orders') }} where {{ "
                     "col }} < 0{% endmacro %}"},
                    {"tests/no_negative.sql", "{{ negative('orders', 'amount') }}"}});
  EXPECT_EQ(render(p, "test.shop.no_negative"),
            "select * from " + relation_sql(*p.find("model.shop.orders")) + " where amount < 0");
  Dag dag = Dag::build(p);
  auto test_index = dag.index_of("test.shop.no_negative");
  ASSERT_TRUE(test_index.has_value());
  ASSERT_EQ(dag.parents(*test_index).size(), 1u);
}

TEST(TemplateMacro, ChecksumFollowsCalledMacrosOnly) {
  auto project = [](const std::string& called_body, const std::string& other_body) {
    return load({{"macros/called.sql", "{% macro called(x) %}{% if x == 'never' %}" + called_body +
                                           "{% else %}{{ x }}{% endif %}{% endmacro %}"},
                 {"macros/other.sql", "{% macro other() %}" + other_body + "{% endmacro %}"},
                 {"models/m.sql", "select {{ called('1') }}"},
                 {"models/plain.sql", "select 2"}});
  };
  auto base = state_checksums(project("a", "b"));
  auto called_changed = state_checksums(project("changed", "b"));
  auto other_changed = state_checksums(project("a", "changed"));
  EXPECT_EQ(base, state_checksums(project("a", "b")));
  // The edit is in a branch the model never renders: the macro text still counts.
  EXPECT_NE(base["model.shop.m"], called_changed["model.shop.m"]);
  EXPECT_EQ(base["model.shop.plain"], called_changed["model.shop.plain"]);
  EXPECT_EQ(base["model.shop.m"], other_changed["model.shop.m"]);
}

TEST(TemplateMacro, ManifestListsMacrosAndWhatEachNodeCalls) {
  Project p = load({{"macros/util.sql", kUtilMacros}, {"models/m.sql", "select {{ money('x') }}"}});
  Dag dag = Dag::build(p);
  nlohmann::json manifest = manifest_json(p, dag, {}, "inv");
  EXPECT_EQ(manifest["nodes"]["model.shop.m"]["depends_on"]["macros"],
            (nlohmann::json{"macro.shop.cents", "macro.shop.money"}));
  const nlohmann::json& money = manifest["macros"]["macro.shop.money"];
  EXPECT_EQ(money["unique_id"], "macro.shop.money");
  EXPECT_EQ(money["name"], "money");
  EXPECT_EQ(money["original_file_path"], "macros/util.sql");
  EXPECT_EQ(money["macro_sql"],
            "{% macro money(col) -%}\n{{ cents(col, suffix='_m') }}\n{%- endmacro %}");
  EXPECT_EQ(manifest["macros"].size(), 2u);
}

void write(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

TEST(TemplateMacro, LoadsMacrosFromDiskUnderMacroPaths) {
  TempDir dir;
  write(dir / "baliza.yml", "name: p\n");
  write(dir / "macros/util.sql", kUtilMacros);
  write(dir / "macros/notes.yml", "macros: []\n");  // property files there are ignored
  write(dir / "models/m.sql", "select {{ money('x') }}");
  Project p = load_project(dir.path());
  EXPECT_EQ(render(p, "model.p.m"), "select round(x * 100) as x_m");

  TempDir custom;
  write(custom / "baliza.yml", "name: p\nmacro-paths: [lib]\n");
  write(custom / "lib/util.sql", kUtilMacros);
  write(custom / "macros/ignored.sql", "{% macro money(x) %}wrong{% endmacro %}");
  write(custom / "models/m.sql", "select {{ money('x') }}");
  Project q = load_project(custom.path());
  EXPECT_EQ(render(q, "model.p.m"), "select round(x * 100) as x_m");
}

}  // namespace
}  // namespace baliza::transform
