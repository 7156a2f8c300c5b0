// The checks of a workflow's `validate` step, each with its severity:
//   row_count  the relation's rows are within [min, max]
//   sql        the query (a template: ref(), var(), macros) returns no rows
//   tests      the data tests of a selection pass (the tests selected, and the tests of the
//              selected models and seeds, as dbt's eager indirect selection)
//   freshness  max(column) of the relation is at most max_age old (an empty relation is stale)
// A check that cannot run (a missing relation, bad SQL) fails with the reason, like a check
// whose condition does not hold. Not thread-safe per connection.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "db/database.h"
#include "ops/workflow_spec.h"
#include "transform/dag.h"
#include "transform/runner.h"

namespace baliza::ops {

struct CheckOutcome {
  std::string name;
  Severity severity = Severity::kError;
  bool passed = false;
  std::string message;    // what was measured, and why it fails
  std::int64_t rows = 0;  // rows counted / returned / failing test rows
  double seconds = 0;
};

struct CheckContext {
  const transform::Project& project;
  const transform::Dag& dag;
  Connection& conn;
  // Runs the given test nodes (Dag indexes), e.g. with transform::run_nodes.
  std::function<transform::RunSummary(const std::vector<std::size_t>&)> run_tests;
};

CheckOutcome run_check(const Check& check, CheckContext& context);

// The SQL name of `relation`: a model/seed/snapshot of the project (its schema and
// identifier), else schema.table or a table name as written.
std::string resolve_relation(const transform::Project& project, const std::string& relation);

// The test nodes a `tests:` check runs, in Dag order.
std::vector<std::size_t> tests_of_selection(const transform::Project& project,
                                            const transform::Dag& dag,
                                            const std::vector<std::string>& select);

}  // namespace baliza::ops
