// libFuzzer target for the template engine (transform/template.h, template_macro.h): the
// lexer, parser, macro library, link_macros (which renders once with execute = false to find
// computed refs), config() and render() with dbt's context. The database is reached only
// through the RenderContext's callbacks (the seam template_database.cpp fills with DuckDB), so
// this target fills them with a small in-memory fake: run_query returns a fixed table,
// get_relation / get_columns know every relation but `missing`, and so on.
//
// Input: a model template; or a macro file and a model separated by a line "===" (seeds in
// tests/fuzz/corpus/template). The built-in packages (dbt, dbt_utils, dbt_date) are in every
// input's library, so dbt_utils.star(...) and adapter.dispatch reach real package macros.
//
// Usage errors (baliza::Error) are the expected answer to bad templates. Crashes, sanitizer
// reports, hangs (-timeout), out-of-memory (-rss_limit_mb) and any other exception (the CLI
// would report it without file:line) are findings; so is a rendered text above the engine's
// output limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "transform/packages/builtin_packages.h"
#include "transform/template.h"
#include "transform/template/evaluator.h"
#include "transform/template_macro.h"

namespace {

using namespace baliza::transform;
using nlohmann::json;

[[noreturn]] void broken(const char* what) {
  __builtin_fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

struct Fixture {
  std::vector<std::shared_ptr<const MacroFile>> packages;
  json vars = {{"v", 1},       {"list", {1, 2, 3}}, {"s", "text"},
               {"flag", true}, {"none", nullptr},   {"d", {{"a", 1}, {"b", {1, 2}}}}};
  json target = {{"name", "dev"},      {"schema", "main"}, {"type", "duckdb"},
                 {"database", "fuzz"}, {"threads", 1},     {"profile_name", "fuzz"}};
  json dispatch =
      json::array({{{"macro_namespace", "dbt_utils"}, {"search_order", {"fuzz", "dbt_utils"}}}});
  json flags = {{"FULL_REFRESH", false}, {"WHICH", "run"}};
  json model = {{"name", "fuzz"}, {"unique_id", "model.fuzz.fuzz"}, {"resource_type", "model"}};
  json config = {{"materialized", "table"}, {"tags", {"a"}}, {"meta", {{"k", "v"}}}};

  Fixture() {
    packages.push_back(MacroFile::parse(builtin_dbt_macros(), "<builtin>/dbt.sql", "dbt"));
    packages.push_back(
        MacroFile::parse(builtin_dbt_utils_macros(), "<builtin>/dbt_utils.sql", "dbt_utils"));
    packages.push_back(
        MacroFile::parse(builtin_dbt_date_macros(), "<builtin>/dbt_date.sql", "dbt_date"));
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

RenderContext make_context(const Fixture& f, bool incremental, bool execute) {
  RenderContext ctx;
  ctx.resolve_ref = [](const TemplateRef& r) -> std::optional<std::string> {
    if (r.name == "missing") return std::nullopt;
    return "\"main\".\"" + r.name + "\"";
  };
  ctx.resolve_source = [](const TemplateSource& s) -> std::optional<std::string> {
    if (s.table_name == "missing") return std::nullopt;
    return "\"" + s.source_name + "\".\"" + s.table_name + "\"";
  };
  ctx.vars = &f.vars;
  ctx.is_incremental = incremental;
  ctx.execute = execute;
  ctx.this_relation = "\"main\".\"fuzz\"";
  ctx.project_name = "fuzz";
  ctx.target = &f.target;
  ctx.dispatch = &f.dispatch;
  ctx.flags = &f.flags;
  ctx.node_info = [&f](std::string_view what) -> const json* {
    if (what == "model") return &f.model;
    if (what == "config") return &f.config;
    return nullptr;
  };
  ctx.invocation_id = "00000000-0000-0000-0000-000000000000";
  ctx.run_started_at = "2025-01-02T03:04:05Z";
  ctx.run_query = [](const std::string& sql) {
    if (sql.find("fail") != std::string::npos) throw baliza::usage_error("query failed: " + sql);
    QueryResult r;
    r.column_names = {"id", "name", "amount"};
    r.column_types = {"INTEGER", "VARCHAR", "DOUBLE"};
    for (std::size_t i = 0; i < sql.size() % 4; ++i) {
      r.rows.push_back({json(static_cast<std::int64_t>(i)), json("n" + std::to_string(i)),
                        i == 2 ? json(nullptr) : json(1.5 * static_cast<double>(i))});
    }
    return r;
  };
  ctx.get_columns = [](const RelationParts& p) -> std::optional<std::vector<ColumnInfo>> {
    if (p.identifier == "missing") return std::nullopt;
    return std::vector<ColumnInfo>{{"id", "INTEGER"}, {"name", "VARCHAR"}, {"ts", "TIMESTAMP"}};
  };
  ctx.get_relation = [](const RelationParts& p) -> std::optional<RelationParts> {
    if (p.identifier == "missing") return std::nullopt;
    return p;
  };
  ctx.log = [](const std::string&, const std::string&) {};
  ctx.warn = [](const std::string&) {};
  ctx.resolve_doc = [](const std::string&, const std::string& name) -> std::optional<std::string> {
    if (name == "missing") return std::nullopt;
    return "docs of " + name;
  };
  ctx.on_config = [](const json&) {};
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string macros;
  std::string model(input);
  if (auto split = input.find("\n===\n"); split != std::string_view::npos) {
    macros = std::string(input.substr(0, split));
    model = std::string(input.substr(split + 5));
  }
  try {
    auto library = std::make_shared<MacroLibrary>();
    library->root_name = "fuzz";
    for (const auto& p : f.packages) library->add(p);
    if (!macros.empty()) library->add(MacroFile::parse(macros, "macros/fuzz.sql"));
    library->check();
    Template t = Template::parse(model, "models/fuzz.sql");
    (void)t.blocks();
    t.link_macros(library, &f.vars);
    (void)t.config(f.vars);
    RenderContext ctx = make_context(f, (size & 1) != 0, true);
    std::string out = t.render(ctx);
    if (out.size() > tmpl::kMaxOutputBytes) broken("rendered text above the output limit");
  } catch (const baliza::Error& e) {
    // A usage error is the expected answer to a bad template (FUZZ_VERBOSE=1 shows it, to
    // check what a seed reaches).
    if (std::getenv("FUZZ_VERBOSE") != nullptr) __builtin_fprintf(stderr, "%s\n", e.what());
  }
  return 0;
}
