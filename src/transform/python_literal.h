// Python literals as dbt's native Jinja rendering reads a rendered text (ast.literal_eval):
// 'a' / "a" strings (backslash escapes), ints, floats, True / False / None, lists and tuples
// (as JSON arrays) and dicts (as JSON objects; keys become strings), nested, with trailing
// commas. This is what a rendered `{{ var('codes') }}` prints for a list (Value::str()).
// Pure function; no exceptions.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace baliza::transform {

// The value of `text` (surrounding whitespace allowed) when the whole text is one Python
// literal; nullopt otherwise (then dbt keeps the text as a string).
std::optional<nlohmann::json> parse_python_literal(std::string_view text);

}  // namespace baliza::transform
