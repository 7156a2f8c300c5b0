// Jinja tests ({% if x is defined %}): the built-in table. Internal to the template engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "transform/template/value.h"

namespace baliza::transform::tmpl {

using TestFn = bool (*)(Evaluator& ev, const Value& subject, CallArgs& args, std::size_t offset);

// nullptr when there is no test of that name.
const TestFn* find_test(std::string_view name);
const std::vector<std::string>& test_names();

}  // namespace baliza::transform::tmpl
