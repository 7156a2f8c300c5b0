// Template parser: tokens -> syntax tree. Tags: if/elif/else/endif, for/else/endfor,
// set (and set...endset), macro/endmacro, test/endtest, materialization, call/endcall, do,
// filter/endfilter, and dbt's snapshot/docs blocks; raw is handled by the lexer. Any other tag
// is an error naming the supported ones. Internal to the template engine.
#pragma once

#include <vector>

#include "transform/template/ast.h"
#include "transform/template/lexer.h"

namespace baliza::transform {

// kModel: a model or test, where {% macro %} is an error; kMacroFile: a file under the macro
// paths, where {% macro %} (and {% test %}, {% materialization %}) blocks may appear at the
// top level.
enum class TemplateMode { kModel, kMacroFile };

// Throws usage_error with file:line:column for unknown tags, unbalanced blocks, bad syntax.
Body parse_template_tokens(const std::vector<Token>& tokens, const ErrorSite& site,
                           TemplateMode mode = TemplateMode::kModel);

// The tag names the parser knows, for suggestions.
const std::vector<std::string>& template_tags();

}  // namespace baliza::transform
