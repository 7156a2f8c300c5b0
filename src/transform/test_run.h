// Running a data test as dbt's test materialization does, and deciding its status as dbt does.
//
// Configs (dbt's names and defaults):
//   severity           error | warn                      (default error)
//   fail_calc          SQL over the failing rows          (default count(*))
//   warn_if, error_if  a condition on fail_calc's value   (default != 0): '>10', 'between 5 and 9'
//   limit              at most this many failing rows are counted and stored
//   where              filters the tested relation first (transform/data_tests.h)
//   store_failures     keep the failing rows in the audit schema (a table named as the test's
//                      alias), replaced on every run, also when none fail; unset: --store-failures
//   store_failures_as  table | view | ephemeral: wins over store_failures (ephemeral: not kept)
// They come, later winning, from dbt_project.yml's tests:/data_tests: tree, the config() calls
// of the test's {% test %} macro, then the test's yml entry (config: or legacy top-level keys);
// a singular test's own {{ config() }} is part of its node config.
//
// The query, as dbt's default__get_test_sql:
//   select <fail_calc> as failures, <fail_calc> <warn_if> as should_warn,
//          <fail_calc> <error_if> as should_error
//   from (<failing rows> [limit n]) dbt_internal_test        (or from the stored relation)
// Status: severity error and should_error -> fail ("configured to fail if <error_if>"); else
// should_warn -> warn (fail with --warn-error); else pass. run_results' `failures` is
// fail_calc's value for fail/warn and 0 for pass, as dbt reports it.
// Errors: bad config values and a fail_calc that returns NULL are usage errors naming the test's
// file:line and what to write instead; SQL errors are DuckDB's (baliza::Error).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "transform/node.h"

namespace baliza::transform {

struct TestSettings {
  std::string severity = "error";
  std::string fail_calc = "count(*)";
  std::string warn_if = "!= 0";
  std::string error_if = "!= 0";
  std::optional<std::int64_t> limit;
  bool store = false;
  std::string store_as = "table";  // table | view (when store)
};

// The settings of `test` (its resolved config) with `macro_config` (an object: the config()
// arguments its {% test %} macro passed while rendering; null: none) filling the keys its yml
// entry did not set. `store_failures_flag`: --store-failures.
TestSettings test_settings(const Node& test, const nlohmann::json& macro_config,
                           bool store_failures_flag);

struct TestOutcome {
  std::string status;           // pass, warn, fail
  std::int64_t value = 0;       // fail_calc's value
  std::int64_t failures = 0;    // as run_results reports it: value for warn/fail, 0 for pass
  std::string message;          // "Got 3 results, configured to fail if != 0"; empty on pass
  std::string sample;           // up to 5 failing rows, one "col=value, ..." per line
  std::string stored_relation;  // schema.name when the failing rows were kept
};

// Runs the failure query `sql` of `test`. `warn_error`: a warning becomes a failure.
TestOutcome run_test(Connection& conn, const Node& test, const std::string& sql,
                     const TestSettings& settings, bool warn_error = false);

}  // namespace baliza::transform
