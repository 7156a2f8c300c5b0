#include "transform/template.h"

#include <set>

#include "core/error.h"
#include "transform/template/collect.h"
#include "transform/template/dbt_context.h"
#include "transform/template/environment.h"
#include "transform/template/evaluator.h"
#include "transform/template/lexer.h"
#include "transform/template/parser.h"
#include "transform/template_macro.h"
#include "transform/text_util.h"

namespace baliza::transform {

const std::vector<std::string>& template_builtins() {
  static const std::vector<std::string> kBuiltins = [] {
    std::vector<std::string> names = tmpl::jinja_global_names();
    const auto& dbt = tmpl::dbt_context_names();
    names.insert(names.end(), dbt.begin(), dbt.end());
    return names;
  }();
  return kBuiltins;
}

struct Template::Impl {
  Impl(std::string src, std::string f)
      : file(std::move(f)), source(std::move(src)), site(file, source) {}

  std::string file;
  std::string source;
  ErrorSite site;  // views file/source above; Impl never moves (held by unique_ptr)
  Body body;
  TemplateUses uses;
  std::shared_ptr<const MacroLibrary> library;
  std::vector<std::string> macros;  // reached through calls, sorted
};

namespace {

// Renders `body` of `t` with dbt's context over `ctx`.
std::string render_body(const Template::Impl& t, const RenderContext& ctx) {
  tmpl::ValueArena arena;  // declared first: ends after every value of the render
  tmpl::Environment env;
  tmpl::install_dbt_context(env, ctx, t.library.get());
  std::string out;
  out.reserve(t.source.size());
  tmpl::Evaluator evaluator(t.source, t.site, env);
  try {
    evaluator.render(t.body, out);
  } catch (tmpl::ReturnSignal&) {
    // return() at the top level of a model ends it, as in dbt.
  }
  return out;
}

}  // namespace

Template Template::parse(std::string source, std::string file) {
  auto impl = std::make_unique<Impl>(std::move(source), std::move(file));
  std::vector<Token> tokens = tokenize_template(impl->source, impl->site);
  impl->body = parse_template_tokens(tokens, impl->site, TemplateMode::kModel);
  collect_uses(impl->body, impl->site, false, impl->uses);
  return Template(std::move(impl));
}

void Template::link_macros(std::shared_ptr<const MacroLibrary> library,
                           const nlohmann::json* vars) {
  Impl& t = *impl_;
  std::set<std::string> reached;
  bool dynamic = t.uses.dynamic_dependencies;
  // Index loop: refs/sources grow while the calls are walked (they are other vectors).
  for (std::size_t i = 0; i < t.uses.macro_calls.size(); ++i) {
    const TemplateMacroCall call = t.uses.macro_calls[i];
    const Macro* first = nullptr;
    if (!call.package.empty()) {
      if (!library->has_package(call.package)) continue;  // not a package: checked at render
      first = library->find_in(call.package, call.name);
      if (first == nullptr) {
        std::vector<std::string> names;
        if (auto* p = library->package_macros(call.package)) {
          for (const auto& [n, m] : *p) names.push_back(n);
        }
        throw usage_error("unknown macro '" + call.package + "." + call.name + "' at " +
                          format_pos(t.file, call.pos) + did_you_mean(call.name, names));
      }
    } else {
      first = library->resolve(call.name, "");
    }
    if (first == nullptr) {
      throw usage_error(
          unknown_macro_message(call.name, format_pos(t.file, call.pos), library.get()));
    }
    std::vector<const Macro*> pending{first};
    std::set<const Macro*> seen{first};
    while (!pending.empty()) {
      const Macro* m = pending.back();
      pending.pop_back();
      reached.insert(m->package.empty() ? m->name : m->package + "." + m->name);
      for (const TemplateRef& r : m->refs) {
        t.uses.refs.push_back({r.package, r.name, call.pos, r.version});
      }
      for (const TemplateSource& s : m->sources) {
        t.uses.sources.push_back({s.source_name, s.table_name, call.pos});
      }
      for (const TemplateVar& v : m->vars) t.uses.vars.push_back({v.name, v.has_default, call.pos});
      t.uses.uses_is_incremental = t.uses.uses_is_incremental || m->uses_is_incremental;
      dynamic = dynamic || m->dynamic_dependencies;
      for (const TemplateMacroCall& c : m->macro_calls) {
        const Macro* next = c.package.empty() ? library->resolve(c.name, m->package)
                                              : library->find_in(c.package, c.name);
        if (next != nullptr && seen.insert(next).second) pending.push_back(next);
      }
    }
  }
  t.macros.assign(reached.begin(), reached.end());
  t.library = std::move(library);
  if (dynamic) {
    // As dbt's parse: render once with execute = false and record what ref/source name.
    std::vector<TemplateRef> refs;
    std::vector<TemplateSource> sources;
    RenderContext ctx;
    ctx.execute = false;
    ctx.resolve_ref = [&](const TemplateRef& r) -> std::optional<std::string> {
      refs.push_back(r);
      return "\"__ref__\".\"" + r.name + "\"";
    };
    ctx.resolve_source = [&](const TemplateSource& s) -> std::optional<std::string> {
      sources.push_back(s);
      return "\"" + s.source_name + "\".\"" + s.table_name + "\"";
    };
    nlohmann::json empty = nlohmann::json::object();
    ctx.vars = vars != nullptr ? vars : &empty;
    ctx.this_relation = "\"__this__\"";
    try {
      render_body(t, ctx);
    } catch (const Error&) {
      // What could not render is reported by the real render; keep what was found.
    }
    auto known = [&](const TemplateRef& r) {
      for (const TemplateRef& x : t.uses.refs) {
        if (x.name == r.name && x.package == r.package) return true;
      }
      return false;
    };
    for (TemplateRef& r : refs) {
      if (!known(r)) t.uses.refs.push_back(std::move(r));
    }
    for (TemplateSource& s : sources) {
      bool seen = false;
      for (const TemplateSource& x : t.uses.sources) {
        seen = seen || (x.source_name == s.source_name && x.table_name == s.table_name);
      }
      if (!seen) t.uses.sources.push_back(std::move(s));
    }
  }
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
  return impl_->uses.refs;
}
const std::vector<TemplateSource>& Template::sources() const {
  return impl_->uses.sources;
}
const std::vector<TemplateVar>& Template::vars() const {
  return impl_->uses.vars;
}
bool Template::uses_is_incremental() const {
  return impl_->uses.uses_is_incremental;
}
bool Template::has_config() const {
  return !impl_->uses.config_calls.empty();
}
const std::vector<TemplateMacroCall>& Template::macro_calls() const {
  return impl_->uses.macro_calls;
}
const std::vector<TemplateBlock>& Template::blocks() const {
  return impl_->uses.blocks;
}
const std::vector<std::string>& Template::macros() const {
  return impl_->macros;
}
const MacroLibrary* Template::macro_library() const {
  return impl_->library.get();
}

std::vector<ConfigArg> Template::config(const nlohmann::json& vars) const {
  std::vector<ConfigArg> out;
  RenderContext ctx;
  ctx.vars = &vars;
  ctx.execute = false;
  tmpl::ValueArena arena;
  tmpl::Environment env;
  tmpl::install_dbt_context(env, ctx, impl_->library.get());
  tmpl::Evaluator evaluator(impl_->source, impl_->site, env);
  for (const Expr* call : impl_->uses.config_calls) {
    for (const auto& [key, value] : call->kwargs) {
      out.push_back({key, evaluator.eval(*value).to_json(), impl_->site.pos(value->offset)});
    }
  }
  return out;
}

std::string Template::render(const RenderContext& context) const {
  return render_body(*impl_, context);
}

}  // namespace baliza::transform
