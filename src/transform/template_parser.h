// Template parser: tokens -> syntax tree. Knows the tags if/elif/else/endif, set and
// macro/endmacro; any other tag is an error that names the supported ones. Internal to the
// template engine.
#pragma once

#include <vector>

#include "transform/template_ast.h"
#include "transform/template_lexer.h"

namespace baliza::transform {

// kModel: a model or test, where {% macro %} is an error; kMacroFile: a file under the macro
// paths, where {% macro %} blocks may appear at the top level.
enum class TemplateMode { kModel, kMacroFile };

// Throws usage_error with file:line:column for unknown tags, unbalanced blocks, bad syntax.
Body parse_template_tokens(const std::vector<Token>& tokens, const ErrorSite& site,
                           TemplateMode mode = TemplateMode::kModel);

}  // namespace baliza::transform
