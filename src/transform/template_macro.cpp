#include "transform/template_macro.h"

#include <algorithm>

#include "core/error.h"
#include "transform/template_ast.h"
#include "transform/template_collect.h"
#include "transform/template_eval.h"
#include "transform/template_lexer.h"
#include "transform/template_parser.h"
#include "transform/text_util.h"

namespace baliza::transform {

struct MacroFile::Impl {
  Impl(std::string src, std::string f)
      : file(std::move(f)), source(std::move(src)), site(file, source) {}

  std::string file;
  std::string source;
  ErrorSite site;  // views file/source above; Impl never moves (held by unique_ptr)
  Body body;
  std::vector<Macro> macros;
};

namespace {

Macro describe_macro(const MacroFile::Impl& f, const Stmt& s) {
  Macro m;
  m.name = s.name;
  m.file = f.file;
  m.pos = f.site.pos(s.name_offset);
  m.signature = f.source.substr(s.name_offset, s.signature_length);
  m.sql = f.source.substr(s.offset, s.length);
  TemplateUses uses;
  for (const MacroParam& p : s.params) {
    m.params.push_back(p.name);
    if (p.default_value) collect_uses(*p.default_value, f.site, true, uses);
  }
  collect_uses(s.body, f.site, true, uses);
  m.refs = std::move(uses.refs);
  m.sources = std::move(uses.sources);
  m.vars = std::move(uses.vars);
  m.macro_calls = std::move(uses.macro_calls);
  m.uses_is_incremental = uses.uses_is_incremental;
  m.definition = &s;
  m.source = f.source;
  m.site = &f.site;
  return m;
}

}  // namespace

MacroFile::MacroFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MacroFile::~MacroFile() = default;

const std::vector<Macro>& MacroFile::macros() const {
  return impl_->macros;
}

std::shared_ptr<const MacroFile> MacroFile::parse(std::string source, std::string file) {
  auto impl = std::make_unique<Impl>(std::move(source), std::move(file));
  std::vector<Token> tokens = tokenize_template(impl->source, impl->site);
  impl->body = parse_template_tokens(tokens, impl->site, TemplateMode::kMacroFile);
  const auto& builtins = template_builtins();
  for (const Stmt& s : impl->body) {
    if (s.kind != Stmt::Kind::kMacro) continue;  // text between macros is ignored
    if (std::find(builtins.begin(), builtins.end(), s.name) != builtins.end()) {
      impl->site.fail(s.name_offset, "macro '" + s.name + "' has the name of a built-in function",
                      "; rename the macro");
    }
    impl->macros.push_back(describe_macro(*impl, s));
  }
  return std::shared_ptr<const MacroFile>(new MacroFile(std::move(impl)));
}

void MacroLibrary::add(std::shared_ptr<const MacroFile> file) {
  for (const Macro& m : file->macros()) {
    auto [it, inserted] = by_name_.emplace(m.name, &m);
    if (!inserted) {
      throw usage_error("duplicate macro '" + m.name +
                        "': " + format_pos(it->second->file, it->second->pos) + " and " +
                        format_pos(m.file, m.pos) +
                        "; rename or remove one of them (macro names are unique across the "
                        "project)");
    }
  }
  files_.push_back(std::move(file));
}

void MacroLibrary::check() const {
  for (const auto& [name, m] : by_name_) {
    for (const TemplateMacroCall& call : m->macro_calls) {
      if (find(call.name) == nullptr) {
        throw usage_error(unknown_macro_message(call.name, format_pos(m->file, call.pos), this));
      }
    }
  }
}

const Macro* MacroLibrary::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::string> MacroLibrary::callable_names() const {
  std::vector<std::string> names;
  names.reserve(by_name_.size() + template_builtins().size());
  for (const auto& [name, m] : by_name_) names.push_back(name);
  names.insert(names.end(), template_builtins().begin(), template_builtins().end());
  return names;
}

std::string unknown_macro_message(const std::string& name, const std::string& where,
                                  const MacroLibrary* library) {
  std::string hint =
      did_you_mean(name, library != nullptr ? library->callable_names() : template_builtins());
  if (hint.empty()) {
    hint = "; define it in a .sql file under macros/ with {% macro " + name +
           "(...) %} ... {% endmacro %}";
  }
  return "unknown macro '" + name + "' at " + where + hint;
}

}  // namespace baliza::transform
