// SQL templates: Jinja as dbt projects write it (the engine lives in transform/template/).
//
//   Statements: if/elif/else, for (loop.*, else, `if` filters, unpacking), set and
//   set...endset, macro with caller and {% call %}, do, raw, filter blocks, snapshot/docs
//   blocks; whitespace control ({%- -%} {{- -}} {#- -#}) everywhere.
//   Expressions: arithmetic, comparisons, in / not in, ~, tests (is none, is defined, ...),
//   list/dict literals, d['a'], d.a, methods (.items(), .get(), .append(), ...), slices,
//   filters (join, lower, default, map, selectattr, tojson, ...).
//   dbt's context (template/dbt_context.h): ref, source, var, env_var, config, this, target,
//   is_incremental(), adapter.*, run_query, statement/load_result, log, return, doc, ...
//   Macros from macros/, from dbt_packages/ and the built-in packages (template_macro.h).
//
// Two phases. parse() builds the syntax tree once and records every ref/source/var/config
// call (in every branch), so the DAG can be built without rendering. link_macros() adds what
// the macros it calls use (transitively) and, when a ref/source is computed (in a loop, from
// a macro argument), finds those by rendering once with execute = false, as dbt's parse does.
// render() evaluates the tree against a RenderContext.
// Errors are usage errors reading "<what> at <file>:<line>:<column>; <how to fix>".
// A parsed Template is immutable after link_macros(); render() may run concurrently.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "transform/source_pos.h"

namespace baliza::transform {

struct TemplateRef {
  std::string package;  // empty unless ref('package', 'name')
  std::string name;
  SourcePos pos;
  std::string version;  // ref('m', version=2) / v=2; empty when not given
};

struct TemplateSource {
  std::string source_name;
  std::string table_name;
  SourcePos pos;
};

struct TemplateVar {
  std::string name;
  bool has_default = false;
  SourcePos pos;
};

// A call of a name that is not built in: a macro, resolved by Template::link_macros.
struct TemplateMacroCall {
  std::string name;
  SourcePos pos;
  std::string package;  // `dbt_utils` in dbt_utils.star(...); empty for a plain call
};

// A {% snapshot name %} or {% docs name %} block of the file.
struct TemplateBlock {
  std::string tag;  // "snapshot" or "docs"
  std::string name;
  SourcePos pos;
  std::size_t body_begin = 0;  // the body is source().substr(body_begin, body_end - body_begin)
  std::size_t body_end = 0;
};

// A result table of run_query / {% call statement %} (agate's Table inside templates).
struct QueryResult {
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;  // DuckDB type names (VARCHAR, INTEGER, ...)
  std::vector<std::vector<nlohmann::json>> rows;
};

// A column of a relation, for adapter.get_columns_in_relation.
struct ColumnInfo {
  std::string name;
  std::string data_type;  // DuckDB type name
};

// A relation's parts, unquoted (database may be empty).
struct RelationParts {
  std::string database;
  std::string schema;
  std::string identifier;
  std::string type = "table";  // table, view, cte, external
};

class MacroLibrary;  // template_macro.h

// One keyword argument of config(...), evaluated.
struct ConfigArg {
  std::string key;
  nlohmann::json value;
  SourcePos pos;
};

struct RenderContext {
  // Relation for a ref/source (e.g. "staging"."x", or a CTE name for an ephemeral model);
  // nullopt means "does not exist" and render() throws with the call's position.
  std::function<std::optional<std::string>(const TemplateRef&)> resolve_ref;
  std::function<std::optional<std::string>(const TemplateSource&)> resolve_source;
  const nlohmann::json* vars = nullptr;  // object: project vars already merged with --vars
  bool is_incremental = false;
  std::string this_relation;  // what {{ this }} renders to

  // dbt's context (all optional; what is unset behaves as in `dbt compile` without a
  // database: run_query returns None, get_relation returns None, ...).
  bool execute = true;                  // dbt's `execute`: false while dependencies are found
  std::string adapter_type = "duckdb";  // adapter.dispatch looks for <adapter_type>__name
  std::string project_name;             // the root project (dispatch search order, context)
  // Pointers (null: none) so that a context costs nothing to fill; they outlive the render.
  const nlohmann::json* target = nullptr;    // target.name, .schema, .database, .type, .threads
  const nlohmann::json* dispatch = nullptr;  // dbt_project.yml's dispatch: [{macro_namespace,
                                             //   search_order: [...]}]
  const nlohmann::json* flags = nullptr;     // FULL_REFRESH, WHICH, ... (flags.FULL_REFRESH)
  // The node being rendered, asked for only when a template uses it: what = "model" (name,
  // unique_id, ...) or "config" (its resolved config, for config.get('key')); null: none.
  std::function<const nlohmann::json*(std::string_view what)> node_info;
  std::string invocation_id;
  std::string run_started_at;  // ISO 8601 UTC
  // Runs SQL and returns its rows (run_query, statement blocks). Throws Error on failure.
  std::function<QueryResult(const std::string& sql)> run_query;
  // Columns of a relation; nullopt when it does not exist.
  std::function<std::optional<std::vector<ColumnInfo>>(const RelationParts&)> get_columns;
  // The relation if it exists (its type filled in), else nullopt.
  std::function<std::optional<RelationParts>(const RelationParts&)> get_relation;
  // log(msg, info=True) and print(msg); level is "info" or "debug".
  std::function<void(const std::string& level, const std::string& message)> log;
  // exceptions.warn(msg).
  std::function<void(const std::string& message)> warn;
  // doc('name') / doc('package', 'name'); nullopt when no such docs block.
  std::function<std::optional<std::string>(const std::string& package, const std::string& name)>
      resolve_doc;
  // config(...) calls while rendering (their keyword arguments, evaluated).
  std::function<void(const nlohmann::json& kwargs)> on_config;
};

class Template {
 public:
  // Parses `source`; `file` is only used in error messages. Throws usage_error.
  static Template parse(std::string source, std::string file);

  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  ~Template();

  const std::string& file() const;
  const std::string& source() const;
  const std::vector<TemplateRef>& refs() const;
  const std::vector<TemplateSource>& sources() const;
  const std::vector<TemplateVar>& vars() const;
  bool uses_is_incremental() const;
  bool has_config() const;
  // Calls of names that are not built in (macros), as written in this template.
  const std::vector<TemplateMacroCall>& macro_calls() const;

  // Resolves the macro calls against `library` and keeps it for render(). Afterwards refs(),
  // sources(), vars() and uses_is_incremental() include what the called macros use, directly
  // or through other macros (refs and sources reached through a macro carry the position of
  // the call in this template). Throws usage_error for an unknown macro (file:line:column and
  // the closest name). Call once, before sharing the template.
  // `vars` (the project's) are used when computed refs must be found by rendering.
  void link_macros(std::shared_ptr<const MacroLibrary> library,
                   const nlohmann::json* vars = nullptr);
  // {% snapshot %} / {% docs %} blocks of the file, in order.
  const std::vector<TemplateBlock>& blocks() const;
  // Names of the macros this template reaches, directly or through other macros, sorted.
  const std::vector<std::string>& macros() const;
  // The library given to link_macros (nullptr before).
  const MacroLibrary* macro_library() const;

  // Evaluates the keyword arguments of every config(...) call, in order (later calls win when
  // the caller applies them in order). `vars` resolves var() inside config. Throws usage_error
  // for positional arguments or a missing var.
  std::vector<ConfigArg> config(const nlohmann::json& vars) const;

  // Renders the SQL. Throws usage_error for a missing var, an unknown ref/source or function,
  // a macro call with wrong arguments or macro calls nested deeper than 50.
  std::string render(const RenderContext& context) const;

  struct Impl;  // opaque: the syntax tree and what parse() collected

 private:
  explicit Template(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baliza::transform
