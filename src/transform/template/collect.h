// What a template body uses, found without rendering: ref/source/var/config/is_incremental
// calls and macro calls (also package-qualified ones, dbt_utils.star(...)), in every branch.
// A ref/source whose arguments are not string literals (computed in a loop, passed to a
// macro) marks the body `dynamic_dependencies`: Template::link_macros then finds them by
// rendering. Internal to the template engine.
#pragma once

#include <vector>

#include "transform/template.h"
#include "transform/template/ast.h"
#include "transform/template/lexer.h"

namespace baliza::transform {

struct TemplateUses {
  std::vector<TemplateRef> refs;
  std::vector<TemplateSource> sources;
  std::vector<TemplateVar> vars;
  std::vector<const Expr*> config_calls;
  std::vector<TemplateMacroCall> macro_calls;  // calls of names that are not built in
  bool uses_is_incremental = false;
  bool dynamic_dependencies = false;  // a ref/source with computed arguments
  bool uses_varargs = false;          // the body reads `varargs`
  bool uses_kwargs = false;           // the body reads `kwargs`
  std::vector<TemplateBlock> blocks;  // snapshot / docs blocks
  bool macro_config = false;          // a macro body calls config() (see RenderContext)
};

// Adds what `body` uses to `out`. In a macro (`in_macro`), config() is not a static config
// call: it sets `macro_config` and acts when the macro renders (RenderContext::on_config). Throws
// usage_error with file:line:column for malformed ref/source/var/config calls.
void collect_uses(const Body& body, const ErrorSite& site, bool in_macro, TemplateUses& out);
void collect_uses(const Expr& expr, const ErrorSite& site, bool in_macro, TemplateUses& out);
// A {% macro %} definition: its parameters are bound names in its body.
void collect_macro_uses(const Stmt& macro, const ErrorSite& site, TemplateUses& out);

}  // namespace baliza::transform
