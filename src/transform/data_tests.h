// Data tests: a test is a query whose rows are failures.
//
//   not_null            rows where the column is null
//   unique              values of the column found more than once (value, n_records)
//   accepted_values     values not in `values` (strings quoted unless quote: false)
//   relationships       child values with no match in `to` (a ref/source) on `field`
//   expression_is_true  rows where NOT (expression); with a column: NOT (column expression)
//   singular tests      tests/*.sql: the compiled query itself
// The `where` config filters the tested relation first. With store_failures, the failing rows
// are kept in <schema>.<test name> (schema: the test's `schema` config, else "test_failures"),
// replaced on every run, so they can be inspected with `baliza query`.
#pragma once

#include <cstdint>
#include <string>

#include "db/database.h"
#include "transform/compiler.h"

namespace baliza::transform {

constexpr const char* kTestFailuresSchema = "test_failures";

// The failure query of a test node. Throws usage_error for a test it cannot build (e.g. a
// relationships test without `to`).
std::string test_sql(const Project& project, const Compiler& compiler, const Node& test);

struct TestOutcome {
  std::int64_t failures = 0;
  std::string sample;           // up to 5 failing rows, one "col=value, ..." per line
  std::string stored_relation;  // schema.name when store_failures kept the rows
};

TestOutcome run_test(Connection& conn, const Node& test, const std::string& sql);

}  // namespace baliza::transform
