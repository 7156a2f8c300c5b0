// Test nodes: one per generic test declared in yml (not_null, unique, ...), named as dbt
// names them (not_null_orders_id, accepted_values_orders_status__a__b, source_unique_raw_t_id).
#pragma once

#include <string>

#include "transform/node.h"

namespace baliza::transform {

// dbt's synthesized test name; long names are shortened with a hash suffix.
std::string generic_test_name(const TestSpec& test, const Node& attached);

// A test node for `test` on `attached` (a model, seed or source node). Its refs/sources are
// the attached node plus any ref()/source() in the test's `to:` argument.
Node make_generic_test_node(const TestSpec& test, const Node& attached,
                            const std::string& project_name);

}  // namespace baliza::transform
