// Python methods of strings, lists and dicts that templates call ('a'.upper(), xs.append(1),
// d.items(), d.get('k', 0)). Internal to the template engine.
#pragma once

#include <optional>
#include <string_view>

#include "transform/template/value.h"

namespace baliza::transform::tmpl {

// The method `name` of `subject` bound to it, or nullopt when it has none.
std::optional<Value> bound_method(const Value& subject, std::string_view name);

}  // namespace baliza::transform::tmpl
