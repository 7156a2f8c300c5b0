#include "transform/template/collect.h"

#include <algorithm>
#include <set>

#include "transform/template_macro.h"

namespace baliza::transform {
namespace {

bool is_builtin(const std::string& name) {
  const auto& builtins = template_builtins();
  return std::find(builtins.begin(), builtins.end(), name) != builtins.end();
}

class Collector {
 public:
  Collector(const ErrorSite& site, bool in_macro, TemplateUses& out)
      : site_(site), in_macro_(in_macro), out_(out) {
    bound_ = {"caller", "loop", "varargs", "kwargs", "self", "super", "_"};
  }

  void bind_params(const Stmt& s) {
    for (const MacroParam& p : s.params) bound_.insert(p.name);
  }

  // Names the body binds (set, for, macro and call parameters): calls of them are not macros.
  void bind(const Body& b) {
    for (const Stmt& s : b) {
      for (const std::string& n : s.target.names) bound_.insert(n);
      if (s.kind == Stmt::Kind::kMacro) bound_.insert(s.name);
      for (const MacroParam& p : s.params) bound_.insert(p.name);
      for (const IfBranch& branch : s.branches) bind(branch.body);
      bind(s.body);
      bind(s.else_body);
    }
  }

  void body(const Body& b) {
    for (const Stmt& s : b) {
      if (s.expr) expr(*s.expr);
      if (s.condition) expr(*s.condition);
      if (s.filter) expr(*s.filter);
      for (const MacroParam& p : s.params) {
        if (p.default_value) expr(*p.default_value);
      }
      for (const IfBranch& branch : s.branches) {
        if (branch.condition) expr(*branch.condition);
        body(branch.body);
      }
      if (s.kind == Stmt::Kind::kBlock) {
        out_.blocks.push_back(
            {s.name, s.block_name, site_.pos(s.name_offset), s.body_begin, s.body_end});
      }
      body(s.body);
      body(s.else_body);
    }
  }

  void expr(const Expr& e) {
    if (e.kind == Expr::Kind::kName) {
      if (e.name == "varargs") out_.uses_varargs = true;
      if (e.name == "kwargs") out_.uses_kwargs = true;
    }
    if (e.kind == Expr::Kind::kCall && e.callee->kind == Expr::Kind::kName) call(e);
    if (e.kind == Expr::Kind::kCall && e.callee->kind == Expr::Kind::kAttribute &&
        e.callee->operands[0]->kind == Expr::Kind::kName) {
      const std::string& package = e.callee->operands[0]->name;
      if (!is_builtin(package) && bound_.count(package) == 0) {
        out_.macro_calls.push_back({e.callee->name, site_.pos(e.offset), package});
      }
    }
    if (e.callee) expr(*e.callee);
    for (const auto& op : e.operands) {
      if (op) expr(*op);
    }
    for (const auto& kw : e.kwargs) expr(*kw.second);
    if (e.star_args) expr(*e.star_args);
    if (e.star_kwargs) expr(*e.star_kwargs);
  }

 private:
  void call(const Expr& e) {
    const std::string& name = e.callee->name;
    if (bound_.count(name) != 0) return;
    if (name == "ref") {
      std::size_t n = e.operands.size();
      if (n == 0 || n > 2) {
        site_.fail(e.offset, "ref() takes 1 or 2 arguments ('model' or 'package', 'model')");
      }
      auto name_arg = literal(e, n - 1);
      auto package_arg = n == 2 ? literal(e, 0) : std::optional<std::string>(std::string());
      if (!name_arg || !package_arg) {
        out_.dynamic_dependencies = true;
        return;
      }
      TemplateRef ref{*package_arg, *name_arg, site_.pos(e.offset)};
      for (const auto& [key, value] : e.kwargs) {
        if ((key == "version" || key == "v") && value->kind == Expr::Kind::kLiteral) {
          ref.version = value->literal.is_string() ? value->literal.get<std::string>()
                                                   : value->literal.dump();
        }
      }
      out_.refs.push_back(std::move(ref));
    } else if (name == "source") {
      if (e.operands.size() != 2) {
        site_.fail(e.offset, "source() takes 2 arguments ('source', 'table')");
      }
      auto source_name = literal(e, 0);
      auto table_name = literal(e, 1);
      if (!source_name || !table_name) {
        out_.dynamic_dependencies = true;
        return;
      }
      out_.sources.push_back({*source_name, *table_name, site_.pos(e.offset)});
    } else if (name == "var") {
      if (e.operands.empty() || e.operands.size() > 2) {
        site_.fail(e.offset, "var() takes 1 or 2 arguments ('name' or 'name', default)");
      }
      if (auto var_name = literal(e, 0)) {
        out_.vars.push_back({*var_name, e.operands.size() == 2, site_.pos(e.offset)});
      }
    } else if (name == "config") {
      if (!e.operands.empty()) {
        site_.fail(e.operands[0]->offset, "config() takes keyword arguments only",
                   "; write config(materialized='table')");
      }
      // In a macro (a {% test %} block, dbt_utils' default__test_equal_rowcount, ...) it takes
      // effect when the macro renders, through RenderContext::on_config.
      if (in_macro_) {
        out_.macro_config = true;
      } else {
        out_.config_calls.push_back(&e);
      }
    } else if (name == "is_incremental") {
      out_.uses_is_incremental = true;
    } else if (!is_builtin(name)) {
      out_.macro_calls.push_back({name, site_.pos(e.offset), {}});
    }
  }

  static std::optional<std::string> literal(const Expr& call, std::size_t index) {
    const Expr& arg = *call.operands[index];
    if (arg.kind != Expr::Kind::kLiteral || !arg.literal.is_string()) return std::nullopt;
    return arg.literal.get<std::string>();
  }

  const ErrorSite& site_;
  bool in_macro_;
  TemplateUses& out_;
  std::set<std::string, std::less<>> bound_;
};

}  // namespace

void collect_macro_uses(const Stmt& macro, const ErrorSite& site, TemplateUses& out) {
  Collector c(site, true, out);
  c.bind_params(macro);
  c.bind(macro.body);
  for (const MacroParam& p : macro.params) {
    if (p.default_value) c.expr(*p.default_value);
  }
  c.body(macro.body);
}

void collect_uses(const Body& body, const ErrorSite& site, bool in_macro, TemplateUses& out) {
  Collector c(site, in_macro, out);
  c.bind(body);
  c.body(body);
}

void collect_uses(const Expr& expr, const ErrorSite& site, bool in_macro, TemplateUses& out) {
  Collector(site, in_macro, out).expr(expr);
}

}  // namespace baliza::transform
