// Seeds a run needs that the database does not have yet. `baliza transform` (and test, build
// with a selection) right after `extract` on a new database would otherwise fail deep in a
// model with DuckDB's "Table with name modalidades does not exist": the runner loads them first.
// Reads the catalog once (one query) on `conn`. Not thread-safe per connection.
#pragma once

#include <cstddef>
#include <vector>

#include "db/database.h"
#include "transform/dag.h"

namespace baliza::transform {

// Dag indexes of the seeds that are ancestors of a node in `selected`, are not selected
// themselves and have no table in the database, in Dag index order.
std::vector<std::size_t> missing_seed_ancestors(const Dag& dag,
                                                const std::vector<std::size_t>& selected,
                                                Connection& conn);

}  // namespace baliza::transform
