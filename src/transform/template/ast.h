// Template syntax tree. Statements (text, `{{ output }}`, if, for, set, macro, call, do,
// filter blocks and dbt's block tags) hold expressions; both carry the byte offset of their
// start for error positions. Internal to the template engine (transform/template.h is the
// public face). Trees are immutable after parsing and shared by concurrent renders.
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
    kName,       // name
    kAttribute,  // operands[0].name
    kItem,       // operands[0][operands[1]]
    kSlice,      // operands[0][operands[1]:operands[2]:operands[3]] (missing parts are null)
    kCall,       // callee(operands..., kwargs...)
    kList,       // [operands...]
    kTuple,      // (operands...,)
    kDict,       // {operands[0]: operands[1], ...}
    kNot,        // not operands[0]
    kNegate,     // -operands[0]
    kBinary,     // operands[0] <name> operands[1]; name is the operator (==, and, ~, in, ...)
    kFilter,     // operands[0] | name(operands[1:]..., kwargs...)
    kTest,       // operands[0] is [not] name(operands[1:]...)
    kCondition,  // operands[0] if operands[1] else operands[2] (operands[2] may be null)
  };
  Kind kind;
  std::size_t offset = 0;
  nlohmann::json literal;
  std::string name;
  bool negated = false;  // kTest: `is not`
  ExprPtr callee;
  std::vector<ExprPtr> operands;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  ExprPtr star_args;    // kCall: f(*xs)
  ExprPtr star_kwargs;  // kCall: f(**d)
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

// What `set` and `for` bind: one name, several (`a, b`), or an attribute (`ns.x`).
struct Target {
  std::vector<std::string> names;  // one or more names
  std::string attribute;           // `names[0].attribute` when not empty
  std::size_t offset = 0;
};

struct Stmt {
  enum class Kind {
    kText,      // source text
    kOutput,    // {{ expr }}
    kIf,        // branches
    kFor,       // for target in expr [if condition]: body, else_body
    kSet,       // set target = expr
    kSetBlock,  // set target %} body {% endset  (optionally with filters in `filters`)
    kMacro,     // macro / test / materialization definitions
    kCall,      // call[(params)] expr: body is the caller
    kDo,        // do expr
    kFilter,    // filter f|g: body
    kBlock,     // a block tag whose body renders in place (snapshot, docs bodies are kept)
  };
  Kind kind;
  std::size_t offset = 0;
  std::size_t length = 0;            // kText: bytes of source text; kMacro: through endmacro
  ExprPtr expr;                      // kOutput, kSet, kFor (iterable), kCall (the call), kDo
  ExprPtr condition;                 // kFor: the `if` filter
  ExprPtr filter;                    // kFilter / kSetBlock: filter chain applied to `_` (a name)
  std::vector<IfBranch> branches;    // kIf: if, elif..., optional else (condition == null)
  Target target;                     // kSet, kSetBlock, kFor
  std::string name;                  // kMacro: the macro; kBlock: the tag (snapshot, docs)
  std::string block_name;            // kBlock: the name after the tag ({% docs orders %})
  std::size_t body_begin = 0;        // kBlock: source offsets of the body (after the opening
  std::size_t body_end = 0;          //   tag's '%}', up to the end tag's '{%')
  std::string macro_kind = "macro";  // kMacro: macro, test or materialization
  std::size_t name_offset = 0;       // kMacro: where its name starts
  std::size_t signature_length = 0;  // kMacro: bytes from the name through the closing ')'
  std::vector<MacroParam> params;    // kMacro, kCall (the caller's parameters)
  Body body;                         // kMacro, kFor, kSetBlock, kCall, kFilter, kBlock
  Body else_body;                    // kFor
  bool recursive = false;            // kFor: `recursive` loops
};

}  // namespace baliza::transform
