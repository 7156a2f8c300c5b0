#include "transform/template_macro.h"

#include <algorithm>

#include "core/error.h"
#include "transform/template/ast.h"
#include "transform/template/collect.h"
#include "transform/template/lexer.h"
#include "transform/template/parser.h"
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

Macro describe_macro(const MacroFile::Impl& f, const Stmt& s, const std::string& package) {
  Macro m;
  m.name = s.name;
  m.package = package;
  m.file = f.file;
  m.pos = f.site.pos(s.name_offset);
  m.signature = f.source.substr(s.name_offset, s.signature_length);
  m.sql = f.source.substr(s.offset, s.length);
  TemplateUses uses;
  for (const MacroParam& p : s.params) m.params.push_back(p.name);
  collect_macro_uses(s, f.site, uses);
  m.refs = std::move(uses.refs);
  m.sources = std::move(uses.sources);
  m.vars = std::move(uses.vars);
  m.macro_calls = std::move(uses.macro_calls);
  m.uses_is_incremental = uses.uses_is_incremental;
  m.dynamic_dependencies = uses.dynamic_dependencies;
  m.uses_varargs = uses.uses_varargs;
  m.uses_kwargs = uses.uses_kwargs;
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

std::shared_ptr<const MacroFile> MacroFile::parse(std::string source, std::string file,
                                                  std::string package) {
  auto impl = std::make_unique<Impl>(std::move(source), std::move(file));
  std::vector<Token> tokens = tokenize_template(impl->source, impl->site);
  impl->body = parse_template_tokens(tokens, impl->site, TemplateMode::kMacroFile);
  const auto& builtins = template_builtins();
  for (const Stmt& s : impl->body) {
    if (s.kind != Stmt::Kind::kMacro) continue;  // text between macros is ignored
    if (package.empty() && std::find(builtins.begin(), builtins.end(), s.name) != builtins.end()) {
      impl->site.fail(s.name_offset, "macro '" + s.name + "' has the name of a built-in function",
                      "; rename the macro");
    }
    impl->macros.push_back(describe_macro(*impl, s, package));
  }
  return std::shared_ptr<const MacroFile>(new MacroFile(std::move(impl)));
}

void MacroLibrary::add(std::shared_ptr<const MacroFile> file) {
  for (const Macro& m : file->macros()) {
    auto& names = m.package.empty() ? by_name_ : packages_[m.package];
    auto [it, inserted] = names.emplace(m.name, &m);
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
      if (!call.package.empty()) {
        if (!has_package(call.package)) continue;  // not a package: checked when it runs
        if (find_in(call.package, call.name) == nullptr) {
          throw usage_error("unknown macro '" + call.package + "." + call.name + "' at " +
                            format_pos(m->file, call.pos) + did_you_mean(call.name, [&] {
                              std::vector<std::string> names;
                              if (auto* p = package_macros(call.package)) {
                                for (const auto& [n, x] : *p) names.push_back(n);
                              }
                              return names;
                            }()));
        }
        continue;
      }
      if (resolve(call.name, m->package) == nullptr) {
        throw usage_error(unknown_macro_message(call.name, format_pos(m->file, call.pos), this));
      }
    }
  }
}

const Macro* MacroLibrary::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const Macro* MacroLibrary::find_in(std::string_view package, std::string_view name) const {
  if (package.empty() || (!root_name.empty() && package == root_name)) return find(name);
  auto p = packages_.find(package);
  if (p == packages_.end()) return nullptr;
  auto it = p->second.find(name);
  return it == p->second.end() ? nullptr : it->second;
}

const Macro* MacroLibrary::resolve(std::string_view name, std::string_view from_package) const {
  if (!from_package.empty()) {
    if (const Macro* m = find_in(from_package, name)) return m;
  }
  if (const Macro* m = find(name)) return m;
  return find_in("dbt", name);
}

const Macro* MacroLibrary::find_test(std::string_view name, std::string* package,
                                     std::string_view preferred) const {
  std::string macro = "test_" + std::string(name);
  if (!preferred.empty() && preferred != root_name) {
    if (const Macro* m = find_in(preferred, macro)) {
      if (package != nullptr) *package = std::string(preferred);
      return m;
    }
  }
  if (const Macro* m = find(macro)) {
    if (package != nullptr) package->clear();
    return m;
  }
  for (const auto& [pkg, macros] : packages_) {
    auto it = macros.find(macro);
    if (it == macros.end()) continue;
    if (package != nullptr) *package = pkg;
    return it->second;
  }
  return nullptr;
}

bool MacroLibrary::has_package(std::string_view package) const {
  return packages_.find(package) != packages_.end() || (!root_name.empty() && package == root_name);
}

std::vector<std::string> MacroLibrary::package_names() const {
  std::vector<std::string> names;
  for (const auto& [name, macros] : packages_) names.push_back(name);
  return names;
}

const std::map<std::string, const Macro*, std::less<>>* MacroLibrary::package_macros(
    std::string_view package) const {
  if (!root_name.empty() && package == root_name) return &by_name_;
  auto p = packages_.find(package);
  return p == packages_.end() ? nullptr : &p->second;
}

std::vector<std::string> MacroLibrary::callable_names() const {
  std::vector<std::string> names;
  names.reserve(by_name_.size() + template_builtins().size());
  for (const auto& [name, m] : by_name_) names.push_back(name);
  if (auto* dbt = package_macros("dbt")) {
    for (const auto& [name, m] : *dbt) names.push_back(name);
  }
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
