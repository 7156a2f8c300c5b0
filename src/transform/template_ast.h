// Template syntax tree. Statements (text, `{{ output }}`, `{% if %}`, `{% set %}`,
// `{% macro %}`) hold expressions; both carry the byte offset of their start for error
// positions. New tags (for, ...) become new Stmt kinds, new expression forms new Expr kinds,
// without touching the existing ones.
// Internal to the template engine (template.h is the public face).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace baliza::transform {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    kLiteral,    // literal: string, number, bool, none
    kName,       // name: a variable such as `this`
    kAttribute,  // operands[0].name
    kCall,       // callee(operands..., kwargs...)
    kList,       // [operands...]
    kDict,       // {operands[0]: operands[1], ...}
    kNot,        // not operands[0]
    kBinary,     // operands[0] <name> operands[1]; name is the operator (==, and, ~, ...)
  };
  Kind kind;
  std::size_t offset = 0;
  nlohmann::json literal;
  std::string name;
  ExprPtr callee;
  std::vector<ExprPtr> operands;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

struct Stmt;
using Body = std::vector<Stmt>;

struct IfBranch {
  ExprPtr condition;  // null for the `else` branch
  Body body;
};

// One parameter of `{% macro name(a, b='x') %}`; default_value is null when required.
struct MacroParam {
  std::string name;
  ExprPtr default_value;
};

struct Stmt {
  enum class Kind { kText, kOutput, kIf, kSet, kMacro };
  Kind kind;
  std::size_t offset = 0;
  std::size_t length = 0;            // kText: bytes of source text; kMacro: through endmacro
  ExprPtr expr;                      // kOutput; kSet: the value
  std::vector<IfBranch> branches;    // kIf: if, elif..., optional else (condition == null)
  std::string name;                  // kSet: the variable; kMacro: the macro
  std::size_t name_offset = 0;       // kMacro: where its name starts
  std::size_t signature_length = 0;  // kMacro: bytes from the name through the closing ')'
  std::vector<MacroParam> params;    // kMacro
  Body body;                         // kMacro
};

}  // namespace baliza::transform
