// Data tests: a test is a query whose rows are failures.
//
//   not_null            rows where the column is null
//   unique              values of the column found more than once (value, n_records)
//   accepted_values     values not in `values` (strings quoted unless quote: false)
//   relationships       child values with no match in `to` (a ref/source) on `field`
//   expression_is_true  rows where NOT (expression); with a column: NOT (column expression)
//   singular tests      tests/*.sql: the compiled query itself
// The `where` config (Jinja allowed) filters the tested relation first. How the query runs
// (limit, fail_calc, warn_if/error_if, store_failures) is transform/test_run.h.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "transform/compiler.h"

namespace baliza::transform {

constexpr const char* kTestFailuresSchema = "test_failures";

struct TestQuery {
  std::string sql;              // the failing rows
  nlohmann::json macro_config;  // config() arguments of its {% test %} macro (null: none)
};

// The failure query of a test node. Throws usage_error for a test it cannot build (e.g. a
// relationships test without `to`). With `conn`, the test's templates may query the database
// (run_query, statement blocks, adapter.get_columns_in_relation), as when dbt runs a test.
TestQuery test_query(const Project& project, const Compiler& compiler, const Node& test,
                     Connection* conn = nullptr);
inline std::string test_sql(const Project& project, const Compiler& compiler, const Node& test) {
  return test_query(project, compiler, test).sql;
}

}  // namespace baliza::transform
