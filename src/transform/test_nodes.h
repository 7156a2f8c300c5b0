// Test nodes: one per generic test declared in yml (not_null, unique, ...), named as dbt
// names them:
//   name       <test>_<model>_<arguments>: not_null_orders_id,
//              accepted_values_orders_status__placed__shipped, source_unique_raw_t_id,
//              relationships_orders_customer_id__id__ref_customers_ (arguments sorted by name,
//              column_name among them; each run of other characters than [0-9a-zA-Z_] -> '_')
//   alias      the name, or, when the name has 64 characters or more,
//              <first 30 characters of <test>_<model>>_<md5 of the name> (stored failures'
//              table, compiled file)
//   unique_id  test.<project>.<name>.<10 hex characters of a hash of the test's definition>
#pragma once

#include <string>

#include "transform/node.h"

namespace baliza::transform {

struct GenericTestName {
  std::string name;
  std::string alias;
  std::string hash;  // 10 hex characters
};

GenericTestName generic_test_name(const TestSpec& test, const Node& attached);

// A test node for `test` on `attached` (a model, seed or source node). Its refs/sources are
// the attached node plus any ref()/source() in the test's `to:` argument.
Node make_generic_test_node(const TestSpec& test, const Node& attached,
                            const std::string& project_name);

}  // namespace baliza::transform
