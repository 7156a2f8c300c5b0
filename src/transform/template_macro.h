// Macros: `{% macro name(a, b='default') %} ... {% endmacro %}` blocks in the .sql files under
// a project's macro paths (default macros/). A file may hold several macros; text between them
// is ignored. Names are unique across the project and may not shadow a built-in function.
//
// A template calls a macro like a function, `{{ name(x, b='y') }}`; the body renders in the
// caller's RenderContext (so ref, source, this and is_incremental() are the calling node's),
// with a fresh scope holding the arguments. config() is not allowed inside a macro.
// Template::link_macros() connects a parsed template to the library (template.h).
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
  // For the evaluator: the definition inside its parsed file, which the library keeps alive.
  const Stmt* definition = nullptr;
  std::string_view source;
  const ErrorSite* site = nullptr;
};

// One parsed macro file. Throws usage_error with file:line:column for bad syntax, a missing
// {% endmacro %}, config() inside a macro or a macro named like a built-in function.
class MacroFile {
 public:
  static std::shared_ptr<const MacroFile> parse(std::string source, std::string file);
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
  // Adds the file's macros. Throws usage_error naming both places for a duplicate name.
  void add(std::shared_ptr<const MacroFile> file);
  // Throws usage_error (file:line:column, closest name) for a macro calling an unknown one.
  void check() const;

  const Macro* find(std::string_view name) const;
  const std::map<std::string, const Macro*, std::less<>>& all() const { return by_name_; }
  // Macro names, then the built-in functions: what a call may name, for suggestions.
  std::vector<std::string> callable_names() const;

 private:
  std::vector<std::shared_ptr<const MacroFile>> files_;
  std::map<std::string, const Macro*, std::less<>> by_name_;
};

// The message for a call of `name` that is neither a macro nor a built-in, at `where`
// ("file:line:column"), with the closest names as a hint.
std::string unknown_macro_message(const std::string& name, const std::string& where,
                                  const MacroLibrary* library);

}  // namespace baliza::transform
