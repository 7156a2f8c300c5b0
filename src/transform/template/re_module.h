// dbt's `modules.re`: Python's regular expressions for templates, on std::regex (ECMAScript
// syntax, which agrees with Python's for the patterns templates use: classes, anchors,
// quantifiers, groups, \d \w \s). sub(pattern, repl, string, count=0, flags=0) with \1 and
// \g<1> in repl; search / match / fullmatch (a match object: group(n), groups(), start(),
// end(), span(), or None); findall (strings, or tuples of groups); split (maxsplit); escape;
// compile (a pattern object with the same methods); flags IGNORECASE / I.
// A pattern std::regex rejects (Python-only syntax such as (?P<name>...)) and a string longer
// than 2,000 bytes fail with the template's file:line:column. Stateless; safe to share between
// renders.
#pragma once

#include "transform/template/value.h"

namespace baliza::transform::tmpl {

Value make_re_module();

}  // namespace baliza::transform::tmpl
