#include "transform/template.h"

#include "transform/template_eval.h"
#include "transform/template_lexer.h"
#include "transform/template_parser.h"

namespace baliza::transform {

struct Template::Impl {
  Impl(std::string src, std::string f)
      : file(std::move(f)), source(std::move(src)), site(file, source) {}

  std::string file;
  std::string source;
  ErrorSite site;  // views file/source above; Impl never moves (held by unique_ptr)
  Body body;
  std::vector<TemplateRef> refs;
  std::vector<TemplateSource> sources;
  std::vector<TemplateVar> vars;
  std::vector<const Expr*> config_calls;
  bool uses_is_incremental = false;
};

namespace {

// Collects ref/source/var/config/is_incremental calls from every branch, so dependencies are
// known without rendering. ref/source names must be string literals: the DAG needs them
// before anything runs.
class DependencyCollector {
 public:
  explicit DependencyCollector(Template::Impl& impl) : t_(impl) {}

  void body(const Body& b) {
    for (const Stmt& s : b) {
      if (s.expr) expr(*s.expr);
      for (const IfBranch& branch : s.branches) {
        if (branch.condition) expr(*branch.condition);
        body(branch.body);
      }
    }
  }

 private:
  void expr(const Expr& e) {
    if (e.kind == Expr::Kind::kCall && e.callee->kind == Expr::Kind::kName) call(e);
    if (e.callee) expr(*e.callee);
    for (const auto& op : e.operands) expr(*op);
    for (const auto& kw : e.kwargs) expr(*kw.second);
  }

  void call(const Expr& e) {
    const std::string& name = e.callee->name;
    if (name == "ref") {
      std::size_t n = e.operands.size();
      if (n == 0 || n > 2) {
        t_.site.fail(e.offset, "ref() takes 1 or 2 arguments ('model' or 'package', 'model')");
      }
      TemplateRef ref{n == 2 ? literal(e, 0, "ref") : std::string(), literal(e, n - 1, "ref"),
                      t_.site.pos(e.offset)};
      t_.refs.push_back(std::move(ref));
    } else if (name == "source") {
      if (e.operands.size() != 2) {
        t_.site.fail(e.offset, "source() takes 2 arguments ('source', 'table')");
      }
      t_.sources.push_back(
          {literal(e, 0, "source"), literal(e, 1, "source"), t_.site.pos(e.offset)});
    } else if (name == "var") {
      if (e.operands.empty() || e.operands.size() > 2) {
        t_.site.fail(e.offset, "var() takes 1 or 2 arguments ('name' or 'name', default)");
      }
      t_.vars.push_back({literal(e, 0, "var"), e.operands.size() == 2, t_.site.pos(e.offset)});
    } else if (name == "config") {
      if (!e.operands.empty()) {
        t_.site.fail(e.operands[0]->offset, "config() takes keyword arguments only",
                     "; write config(materialized='table')");
      }
      t_.config_calls.push_back(&e);
    } else if (name == "is_incremental") {
      t_.uses_is_incremental = true;
    }
  }

  std::string literal(const Expr& call, std::size_t index, std::string_view function) {
    const Expr& arg = *call.operands[index];
    if (arg.kind != Expr::Kind::kLiteral || !arg.literal.is_string()) {
      t_.site.fail(arg.offset, std::string(function) + "() arguments must be quoted strings",
                   std::string("; write ") + std::string(function) + "('name')");
    }
    return arg.literal.get<std::string>();
  }

  Template::Impl& t_;
};

}  // namespace

Template Template::parse(std::string source, std::string file) {
  auto impl = std::make_unique<Impl>(std::move(source), std::move(file));
  std::vector<Token> tokens = tokenize_template(impl->source, impl->site);
  impl->body = parse_template_tokens(tokens, impl->site);
  DependencyCollector(*impl).body(impl->body);
  return Template(std::move(impl));
}

Template::Template(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

const std::string& Template::file() const {
  return impl_->file;
}
const std::string& Template::source() const {
  return impl_->source;
}
const std::vector<TemplateRef>& Template::refs() const {
  return impl_->refs;
}
const std::vector<TemplateSource>& Template::sources() const {
  return impl_->sources;
}
const std::vector<TemplateVar>& Template::vars() const {
  return impl_->vars;
}
bool Template::uses_is_incremental() const {
  return impl_->uses_is_incremental;
}
bool Template::has_config() const {
  return !impl_->config_calls.empty();
}

std::vector<ConfigArg> Template::config(const nlohmann::json& vars) const {
  std::vector<ConfigArg> out;
  Evaluator evaluator(impl_->source, impl_->site, nullptr, &vars);
  for (const Expr* call : impl_->config_calls) {
    for (const auto& [key, value] : call->kwargs) {
      out.push_back({key, evaluator.eval(*value), impl_->site.pos(value->offset)});
    }
  }
  return out;
}

std::string Template::render(const RenderContext& context) const {
  std::string out;
  out.reserve(impl_->source.size());
  Evaluator(impl_->source, impl_->site, &context, context.vars).render(impl_->body, out);
  return out;
}

}  // namespace baliza::transform
