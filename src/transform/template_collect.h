// What a template body uses, found without rendering: ref/source/var/config/is_incremental
// calls and macro calls, in every branch. ref/source names must be string literals: the DAG
// needs them before anything runs. Internal to the template engine.
#pragma once

#include <vector>

#include "transform/template.h"
#include "transform/template_ast.h"
#include "transform/template_lexer.h"

namespace baliza::transform {

struct TemplateUses {
  std::vector<TemplateRef> refs;
  std::vector<TemplateSource> sources;
  std::vector<TemplateVar> vars;
  std::vector<const Expr*> config_calls;
  std::vector<TemplateMacroCall> macro_calls;  // calls of names that are not built in
  bool uses_is_incremental = false;
};

// Adds what `body` uses to `out`. In a macro (`in_macro`), config() is an error. Throws
// usage_error with file:line:column for malformed ref/source/var/config calls.
void collect_uses(const Body& body, const ErrorSite& site, bool in_macro, TemplateUses& out);
void collect_uses(const Expr& expr, const ErrorSite& site, bool in_macro, TemplateUses& out);

}  // namespace baliza::transform
