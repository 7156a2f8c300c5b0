// dbt's generic test definitions, `{% test name(model, column_name) %} ... {% endtest %}`, in
// macro files (macros/ and tests/generic/): as in dbt, each is a macro named test_<name>. The
// text is rewritten before it is parsed as a macro file; lines do not move, so errors keep their
// line numbers (columns shift on the `{% test %}` line only).
#pragma once

#include <string>

namespace baliza::transform {

std::string rewrite_test_blocks(const std::string& text);

}  // namespace baliza::transform
