// SQL templates: the dbt/Jinja subset Baliza models use.
//
//   {{ ref('m') }}  {{ ref('project', 'm') }}  {{ source('s', 't') }}  {{ this }}
//   {{ config(materialized='table', unique_key='id', tags=['a']) }}   (renders to nothing)
//   {{ var('x') }}  {{ var('x', 'default') }}  {{ env_var('X', 'default') }}
//   {% if is_incremental() %} ... {% elif ... %} ... {% else %} ... {% endif %}
//   {% set x = expr %} ... {{ x }}       (visible after the set, in the same template)
//   {{ my_macro(a, b='x') }}             (a macro from macros/, see template_macro.h)
//   {# comments #}   whitespace control: {%- -%} {{- -}} {#- -#}
//
// Two phases. parse() builds the syntax tree once and records every ref/source/var/config
// call (in every branch), so the DAG can be built without rendering. link_macros() adds what
// the macros it calls use (transitively). render() evaluates the tree against a RenderContext
// (how to name refs and sources, vars, is_incremental, this).
// Errors are usage errors reading "<what> at <file>:<line>:<column>; <how to fix>".
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
  void link_macros(std::shared_ptr<const MacroLibrary> library);
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
