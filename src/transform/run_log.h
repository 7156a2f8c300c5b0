// Every run and node result as rows in meta.run_results and meta.node_results (migration 3),
// so "what ran, when, how long, what failed" is a SQL query away.
#pragma once

#include <string>

#include "db/database.h"
#include "transform/dag.h"
#include "transform/runner.h"

namespace baliza::transform {

// Inserts the run and its node results in one transaction.
void record_run(Connection& conn, const Project& project, const Dag& dag,
                const std::string& command, const std::string& command_line,
                const RunSummary& summary);

}  // namespace baliza::transform
