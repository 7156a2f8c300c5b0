// Template evaluator: walks the syntax tree and writes the rendered text. Scopes follow Jinja:
// a for body and a macro body get their own scope (a `set` inside a loop does not leak out;
// use namespace() for that), if blocks do not. Names resolve through the scopes, then the
// Environment's globals and macros. Errors are usage errors "<what> at file:line:column;
// <hint>". One Evaluator per file being rendered (a macro call makes a new one for the
// macro's file); not thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "transform/template/ast.h"
#include "transform/template/environment.h"
#include "transform/template/lexer.h"
#include "transform/template/value.h"

namespace baliza::transform {
struct Macro;
}

namespace baliza::transform::tmpl {

// Macro calls may nest (and recurse) this deep; one more is an error naming the chain.
inline constexpr std::size_t kMaxMacroDepth = 50;
// A single render, and any one string it makes, may not be longer than this (a runaway loop
// or a doubling string is an error, not an out-of-memory).
inline constexpr std::size_t kMaxOutputBytes = 64u << 20;
// Loop iterations per render, summed over all loops and list-building functions (range(10**9)
// is an error, not a hang). Real models loop over columns, dates or query rows: thousands.
inline constexpr std::size_t kMaxIterations = 1'000'000;
// Work per render: every expression evaluated counts 1 plus the length of the string it gives
// (a name bound to a long string copies it), so a loop re-reading or rebuilding long strings
// ends with an error instead of running for hours.
inline constexpr std::size_t kMaxWork = std::size_t{1} << 30;

// Thrown by return(value) and caught by the macro call that is running.
struct ReturnSignal {
  Value value;
};

class Evaluator {
 public:
  // `package` is the package whose macro is being rendered (empty: the root project).
  Evaluator(std::string_view source, const ErrorSite& site, Environment& env,
            std::string package = {})
      : source_(source), site_(site), env_(env), package_(std::move(package)) {
    scopes_.emplace_back();
  }

  void render(const Body& body, std::string& out);
  // Evaluates `e` and counts its work against kMaxWork.
  Value eval(const Expr& e);

  [[noreturn]] void fail(std::size_t offset, const std::string& what,
                         const std::string& hint = "") const {
    site_.fail(offset, what, hint);
  }
  const ErrorSite& site() const { return site_; }
  Environment& env() { return env_; }
  const std::string& package() const { return package_; }

  // Variables of the innermost scope.
  void set_local(const std::string& name, Value v) { scopes_.back()[name] = std::move(v); }
  const Value* lookup_local(std::string_view name) const;

  // Calls a callable value (macros, functions, bound methods).
  Value call_value(const Value& callee, CallArgs& args, std::size_t offset,
                   const std::string& shown_name);
  // Calls a macro: a new Evaluator in the macro's file, arguments bound, `caller` passed on.
  Value call_macro(const Macro& macro, CallArgs& args, std::size_t offset);
  // Renders a body in a new scope with `bindings` (the body of {% call %}).
  std::string render_in_scope(const Body& body,
                              const std::vector<std::pair<std::string, Value>>& bindings);
  // Applies a named filter / test (for map(), select() and friends).
  Value apply_filter(const std::string& name, const Value& subject, CallArgs& args,
                     std::size_t offset);
  bool apply_test(const std::string& name, const Value& subject, CallArgs& args,
                  std::size_t offset);
  // Counts loop iterations against kMaxIterations.
  void count_iteration(std::size_t offset);
  // Fails when a string being made would be longer than kMaxOutputBytes.
  void check_size(std::size_t bytes, std::size_t offset) const;

 private:
  Value eval_expr(const Expr& e);
  Value eval_name(const Expr& e);
  Value eval_attribute(const Expr& e);
  Value eval_item(const Expr& e);
  Value eval_slice(const Expr& e);
  Value eval_call(const Expr& e);
  Value eval_binary(const Expr& e);
  Value eval_filter(const Expr& e);
  Value eval_test(const Expr& e);
  CallArgs eval_arguments(const Expr& e, std::size_t first_operand);
  void render_for(const Stmt& s, std::string& out);
  void render_call_block(const Stmt& s, std::string& out);
  void assign(const Target& target, Value value);
  void check_output(const std::string& out, std::size_t offset) const;
  std::vector<std::string> known_names() const;

  std::string_view source_;
  const ErrorSite& site_;
  Environment& env_;
  std::string package_;
  std::vector<std::map<std::string, Value, std::less<>>> scopes_;
  int lenient_ = 0;  // > 0 while evaluating the subject of `is defined` / `default`
};

// Attribute lookup on any value (dict keys, methods of str/list/dict, object attributes);
// nullopt when there is none.
std::optional<Value> get_attribute(Evaluator& ev, const Value& subject, std::string_view name);
// subject[key]; nullopt when there is none.
std::optional<Value> get_item(Evaluator& ev, const Value& subject, const Value& key);

}  // namespace baliza::transform::tmpl
