// A JSON value written as a Jinja literal, for the calls the engine generates itself (a
// generic test's `{{ test_x(model=..., arg=...) }}`, a `generate_schema_name(...)` override).
// Strings, numbers, lists and dicts keep JSON's syntax (Jinja reads it as is); null becomes
// `none` and booleans `true`/`false`. Pure function: no state, safe from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace baliza::transform {

std::string jinja_literal(const nlohmann::json& value);

}  // namespace baliza::transform
