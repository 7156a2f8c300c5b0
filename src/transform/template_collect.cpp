#include "transform/template_collect.h"

#include <algorithm>

#include "transform/template_eval.h"

namespace baliza::transform {
namespace {

class Collector {
 public:
  Collector(const ErrorSite& site, bool in_macro, TemplateUses& out)
      : site_(site), in_macro_(in_macro), out_(out) {}

  void body(const Body& b) {
    for (const Stmt& s : b) {
      if (s.expr) expr(*s.expr);
      for (const IfBranch& branch : s.branches) {
        if (branch.condition) expr(*branch.condition);
        body(branch.body);
      }
    }
  }

  void expr(const Expr& e) {
    if (e.kind == Expr::Kind::kCall && e.callee->kind == Expr::Kind::kName) call(e);
    if (e.callee) expr(*e.callee);
    for (const auto& op : e.operands) expr(*op);
    for (const auto& kw : e.kwargs) expr(*kw.second);
  }

 private:
  void call(const Expr& e) {
    const std::string& name = e.callee->name;
    if (name == "ref") {
      std::size_t n = e.operands.size();
      if (n == 0 || n > 2) {
        site_.fail(e.offset, "ref() takes 1 or 2 arguments ('model' or 'package', 'model')");
      }
      TemplateRef ref{n == 2 ? literal(e, 0, "ref") : std::string(), literal(e, n - 1, "ref"),
                      site_.pos(e.offset)};
      out_.refs.push_back(std::move(ref));
    } else if (name == "source") {
      if (e.operands.size() != 2) {
        site_.fail(e.offset, "source() takes 2 arguments ('source', 'table')");
      }
      out_.sources.push_back(
          {literal(e, 0, "source"), literal(e, 1, "source"), site_.pos(e.offset)});
    } else if (name == "var") {
      if (e.operands.empty() || e.operands.size() > 2) {
        site_.fail(e.offset, "var() takes 1 or 2 arguments ('name' or 'name', default)");
      }
      out_.vars.push_back({literal(e, 0, "var"), e.operands.size() == 2, site_.pos(e.offset)});
    } else if (name == "config") {
      if (in_macro_) {
        site_.fail(e.offset, "config() cannot be used inside a macro",
                   "; call config() in the model that calls the macro, or set it in baliza.yml");
      }
      if (!e.operands.empty()) {
        site_.fail(e.operands[0]->offset, "config() takes keyword arguments only",
                   "; write config(materialized='table')");
      }
      out_.config_calls.push_back(&e);
    } else if (name == "is_incremental") {
      out_.uses_is_incremental = true;
    } else if (std::find(template_builtins().begin(), template_builtins().end(), name) ==
               template_builtins().end()) {
      out_.macro_calls.push_back({name, site_.pos(e.offset)});
    }
  }

  std::string literal(const Expr& call, std::size_t index, std::string_view function) {
    const Expr& arg = *call.operands[index];
    if (arg.kind != Expr::Kind::kLiteral || !arg.literal.is_string()) {
      site_.fail(arg.offset, std::string(function) + "() arguments must be quoted strings",
                 std::string("; write ") + std::string(function) + "('name')");
    }
    return arg.literal.get<std::string>();
  }

  const ErrorSite& site_;
  bool in_macro_;
  TemplateUses& out_;
};

}  // namespace

void collect_uses(const Body& body, const ErrorSite& site, bool in_macro, TemplateUses& out) {
  Collector(site, in_macro, out).body(body);
}

void collect_uses(const Expr& expr, const ErrorSite& site, bool in_macro, TemplateUses& out) {
  Collector(site, in_macro, out).expr(expr);
}

}  // namespace baliza::transform
