// One render's environment: the global names (a registry that context providers fill: the
// engine's own Jinja globals, dbt's context, package namespaces), how macros are found, the
// call chain for the depth limit and the results of {% call statement %} blocks.
// The evaluator knows no dbt names: everything a template may call is registered here.
//
// Globals are found, in order: this environment's own, its lazy values (computed on first use
// from the render's context by the `lazy` hook and kept for the rest of the render), then the
// `base` environment's. A base holds what does not depend on one render (functions that read
// the render's `context` through Evaluator::env() when called): built once, read-only, shared
// by every render on every thread, it must outlive them.
// Not thread-safe: one render, one Environment (the base excepted, which is never written).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "transform/template/value.h"

namespace baliza::transform {
struct Macro;
struct RenderContext;
class MacroLibrary;
}  // namespace baliza::transform

namespace baliza::transform::tmpl {

class Environment {
 public:
  // Finds a macro by name as seen from a macro of `package` (empty: the root project).
  using MacroFinder =
      std::function<const Macro*(std::string_view name, std::string_view from_package)>;
  // Resolves an unknown global name lazily (e.g. a package namespace); nullopt when unknown.
  using Fallback = std::function<std::optional<Value>(std::string_view name)>;

  // A value computed from the render's context for `name`, or nullopt (see above).
  using Lazy = std::optional<Value> (*)(const Environment& env, std::string_view name);

  void set_global(std::string name, Value v) { globals_[std::move(name)] = std::move(v); }
  const Value* global(std::string_view name) const;
  std::vector<std::string> global_names() const;
  void set_base(const Environment* base) { base_ = base; }
  // `names`: what `lazy` may answer (for suggestions); must outlive the environment.
  void set_lazy(Lazy lazy, const std::vector<std::string>* names) {
    lazy_ = lazy;
    lazy_names_ = names;
  }

  void set_macro_finder(MacroFinder f) { find_macro_ = std::move(f); }
  const Macro* find_macro(std::string_view name, std::string_view from_package) const {
    return find_macro_ ? find_macro_(name, from_package) : nullptr;
  }
  bool has_macros() const { return static_cast<bool>(find_macro_); }
  void set_fallback(Fallback f) { fallback_ = std::move(f); }
  std::optional<Value> fallback(std::string_view name) const {
    return fallback_ ? fallback_(name) : std::nullopt;
  }
  // Every name the fallback or macro finder knows, for suggestions.
  std::function<std::vector<std::string>()> extra_names;

  // Macros being expanded, outermost first.
  std::vector<std::string> chain;
  // Results of {% call statement(name) %} blocks, for load_result(name).
  std::map<std::string, Value, std::less<>> statement_results;
  // Loop iterations so far (bounded by kMaxIterations) and work (bounded by kMaxWork).
  std::size_t iterations = 0;
  std::size_t work = 0;
  // Opaque pointer for context providers.
  void* user = nullptr;
  // The render's dbt context and macro library (null when there is none).
  const RenderContext* context = nullptr;
  const MacroLibrary* library = nullptr;

 private:
  std::map<std::string, Value, std::less<>> globals_;
  const Environment* base_ = nullptr;
  Lazy lazy_ = nullptr;
  const std::vector<std::string>* lazy_names_ = nullptr;
  mutable std::map<std::string, Value, std::less<>> lazy_values_;
  MacroFinder find_macro_;
  Fallback fallback_;
};

// Installs the engine's own globals: range, dict, namespace, zip, joiner, cycler, lipsum-free.
void install_jinja_globals(Environment& env);
// Their names, for suggestions and for telling macro calls from built-in calls.
const std::vector<std::string>& jinja_global_names();

}  // namespace baliza::transform::tmpl
