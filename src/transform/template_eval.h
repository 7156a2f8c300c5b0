// Template evaluator: walks the syntax tree and writes the rendered text. Values are JSON
// values (strings, numbers, bools, null, lists, dicts). Internal to the template engine.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "transform/template.h"
#include "transform/template_ast.h"
#include "transform/template_lexer.h"

namespace baliza::transform {

// The functions and names templates may call, for "did you mean" suggestions.
const std::vector<std::string>& template_builtins();

struct Macro;

// Macro calls may nest (and recurse) this deep; one more is an error naming the chain.
inline constexpr std::size_t kMaxMacroDepth = 50;

class Evaluator {
 public:
  // `context` may be null when only evaluating config() arguments (no refs allowed then).
  // `macros` resolves calls of names that are not built in (null: none). `chain` names the
  // macros being expanded, outermost first, for the depth limit.
  Evaluator(std::string_view source, const ErrorSite& site, const RenderContext* context,
            const nlohmann::json* vars, const MacroLibrary* macros = nullptr,
            std::vector<std::string> chain = {})
      : source_(source),
        site_(site),
        context_(context),
        vars_(vars),
        macros_(macros),
        chain_(std::move(chain)) {}

  void render(const Body& body, std::string& out);
  nlohmann::json eval(const Expr& e);

 private:
  nlohmann::json call(const Expr& e);
  nlohmann::json call_macro(const Expr& e, const Macro& macro);
  void bind_arguments(const Expr& e, const Macro& macro, Evaluator& inner);
  nlohmann::json call_ref(const Expr& e);
  nlohmann::json call_source(const Expr& e);
  nlohmann::json call_var(const Expr& e);
  nlohmann::json call_env_var(const Expr& e);
  nlohmann::json binary(const Expr& e);
  std::string string_arg(const Expr& call, std::size_t index, std::string_view function);

  std::string_view source_;
  const ErrorSite& site_;
  const RenderContext* context_;
  const nlohmann::json* vars_;
  const MacroLibrary* macros_;
  std::vector<std::string> chain_;
  std::map<std::string, nlohmann::json, std::less<>> locals_;  // {% set %} and macro arguments
};

// Python/Jinja truthiness and string conversion.
bool truthy(const nlohmann::json& v);
void append_value(std::string& out, const nlohmann::json& v);

}  // namespace baliza::transform
