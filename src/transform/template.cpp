#include "transform/template.h"

#include <set>

#include "core/error.h"
#include "transform/template_collect.h"
#include "transform/template_eval.h"
#include "transform/template_lexer.h"
#include "transform/template_macro.h"
#include "transform/template_parser.h"

namespace baliza::transform {

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

Template Template::parse(std::string source, std::string file) {
  auto impl = std::make_unique<Impl>(std::move(source), std::move(file));
  std::vector<Token> tokens = tokenize_template(impl->source, impl->site);
  impl->body = parse_template_tokens(tokens, impl->site, TemplateMode::kModel);
  collect_uses(impl->body, impl->site, false, impl->uses);
  return Template(std::move(impl));
}

void Template::link_macros(std::shared_ptr<const MacroLibrary> library) {
  Impl& t = *impl_;
  std::set<std::string> reached;
  // Index loop: refs/sources grow while the calls are walked (they are other vectors).
  for (std::size_t i = 0; i < t.uses.macro_calls.size(); ++i) {
    const TemplateMacroCall call = t.uses.macro_calls[i];
    const Macro* first = library->find(call.name);
    if (first == nullptr) {
      throw usage_error(
          unknown_macro_message(call.name, format_pos(t.file, call.pos), library.get()));
    }
    std::vector<const Macro*> pending{first};
    std::set<const Macro*> seen{first};
    while (!pending.empty()) {
      const Macro* m = pending.back();
      pending.pop_back();
      reached.insert(m->name);
      for (const TemplateRef& r : m->refs) t.uses.refs.push_back({r.package, r.name, call.pos});
      for (const TemplateSource& s : m->sources) {
        t.uses.sources.push_back({s.source_name, s.table_name, call.pos});
      }
      for (const TemplateVar& v : m->vars) t.uses.vars.push_back({v.name, v.has_default, call.pos});
      t.uses.uses_is_incremental = t.uses.uses_is_incremental || m->uses_is_incremental;
      for (const TemplateMacroCall& c : m->macro_calls) {
        const Macro* next = library->find(c.name);  // MacroLibrary::check() vouched for it
        if (next != nullptr && seen.insert(next).second) pending.push_back(next);
      }
    }
  }
  t.macros.assign(reached.begin(), reached.end());
  t.library = std::move(library);
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
const std::vector<std::string>& Template::macros() const {
  return impl_->macros;
}
const MacroLibrary* Template::macro_library() const {
  return impl_->library.get();
}

std::vector<ConfigArg> Template::config(const nlohmann::json& vars) const {
  std::vector<ConfigArg> out;
  Evaluator evaluator(impl_->source, impl_->site, nullptr, &vars, impl_->library.get());
  for (const Expr* call : impl_->uses.config_calls) {
    for (const auto& [key, value] : call->kwargs) {
      out.push_back({key, evaluator.eval(*value), impl_->site.pos(value->offset)});
    }
  }
  return out;
}

std::string Template::render(const RenderContext& context) const {
  std::string out;
  out.reserve(impl_->source.size());
  Evaluator(impl_->source, impl_->site, &context, context.vars, impl_->library.get())
      .render(impl_->body, out);
  return out;
}

}  // namespace baliza::transform
