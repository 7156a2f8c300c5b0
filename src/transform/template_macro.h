// Macros: `{% macro name(a, b='default') %} ... {% endmacro %}` blocks in the .sql files under
// a project's macro paths (default macros/). A file may hold several macros (and `{% test %}`
// generic tests, named test_<name>); text between them is ignored. Names are unique within a
// package and may not shadow a built-in function.
//
// Packages: macros of dbt_packages/<pkg>/ (see transform/packages/) belong to that package;
// they are called as `pkg.name(...)`, and unqualified from inside the package. Where a
// package is not installed, the built-in copy of dbt_utils / dbt_date is used, and dbt's own
// macros (package `dbt`: cross-database macros) are always there. Unqualified names resolve:
// the calling macro's package, then the root project, then `dbt`.
//
// A template calls a macro like a function, `{{ name(x, b='y') }}`; the body renders in the
// caller's RenderContext (so ref, source, this and is_incremental() are the calling node's),
// with a fresh scope holding the arguments (and `varargs`, `kwargs`, `caller` when used).
// config() inside a macro (a {% test %} block setting fail_calc, ...) acts when the macro
// renders: RenderContext::on_config receives its arguments (data tests apply them; a model's
// static config does not see them). Template::link_macros() connects a parsed template to the
// library (template.h). A library is immutable once check() has run.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transform/source_pos.h"
#include "transform/template.h"

namespace baliza::transform {

struct Stmt;
class ErrorSite;

struct Macro {
  std::string name;
  std::string package;              // empty for the root project's macros
  std::string file;                 // path of its file, for messages and the manifest
  SourcePos pos;                    // of its name
  std::string signature;            // "name(a, b='x')" as written
  std::string sql;                  // the whole {% macro %} ... {% endmacro %} block as written
  std::vector<std::string> params;  // argument names in order; those with defaults come last
  // What its own body uses (not what it reaches through other macros).
  std::vector<TemplateRef> refs;
  std::vector<TemplateSource> sources;
  std::vector<TemplateVar> vars;
  std::vector<TemplateMacroCall> macro_calls;
  bool uses_is_incremental = false;
  bool dynamic_dependencies = false;  // a ref/source with computed arguments
  bool uses_varargs = false;          // extra positional arguments go to `varargs`
  bool uses_kwargs = false;           // extra keyword arguments go to `kwargs`
  // For the evaluator: the definition inside its parsed file, which the library keeps alive.
  const Stmt* definition = nullptr;
  std::string_view source;
  const ErrorSite* site = nullptr;
};

// One parsed macro file. Throws usage_error with file:line:column for bad syntax, a missing
// {% endmacro %} or a macro named like a built-in function.
class MacroFile {
 public:
  // `package` is empty for the root project's macro files.
  static std::shared_ptr<const MacroFile> parse(std::string source, std::string file,
                                                std::string package = {});
  ~MacroFile();
  const std::vector<Macro>& macros() const;

  struct Impl;

 private:
  explicit MacroFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Every macro of a project, by name.
class MacroLibrary {
 public:
  // Adds the file's macros (to the file's package). Throws usage_error naming both places
  // for a duplicate name within a package.
  void add(std::shared_ptr<const MacroFile> file);
  // Throws usage_error (file:line:column, closest name) for a root macro calling an unknown
  // one; package macros are checked when they run.
  void check() const;

  // A root project macro.
  const Macro* find(std::string_view name) const;
  // A macro of `package` ("" = root).
  const Macro* find_in(std::string_view package, std::string_view name) const;
  // The generic test `name` (macro test_<name>) as a yml entry finds it, with or without its
  // package prefix: the root project's, else the first package (by name) that has one; sets
  // *package to the package ("" for the root). nullptr when none has it.
  // `preferred`: the namespace the yml wrote (dbt_utils.equality) is searched first, so a root
  // macro of the same name does not shadow the package's test.
  const Macro* find_test(std::string_view name, std::string* package,
                         std::string_view preferred = {}) const;
  // An unqualified name called from a macro of `from_package`: that package, the root, dbt.
  const Macro* resolve(std::string_view name, std::string_view from_package) const;
  bool has_package(std::string_view package) const;
  std::vector<std::string> package_names() const;
  // Root project macros by name.
  const std::map<std::string, const Macro*, std::less<>>& all() const { return by_name_; }
  // Every macro of `package`.
  const std::map<std::string, const Macro*, std::less<>>* package_macros(
      std::string_view package) const;
  // Macro names, then the built-in functions: what a call may name, for suggestions.
  std::vector<std::string> callable_names() const;
  // The root project's name (dispatch search orders name it); may be empty.
  std::string root_name;

 private:
  std::vector<std::shared_ptr<const MacroFile>> files_;
  std::map<std::string, const Macro*, std::less<>> by_name_;
  std::map<std::string, std::map<std::string, const Macro*, std::less<>>, std::less<>> packages_;
};

// The functions and names templates may use without defining them (Jinja's globals and dbt's
// context), for suggestions and to tell macro calls from built-in calls.
const std::vector<std::string>& template_builtins();

// The message for a call of `name` that is neither a macro nor a built-in, at `where`
// ("file:line:column"), with the closest names as a hint.
std::string unknown_macro_message(const std::string& name, const std::string& where,
                                  const MacroLibrary* library);

}  // namespace baliza::transform
