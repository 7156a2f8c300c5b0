// Analyses many models' SQL with few DuckDB round trips: json_serialize_sql over a VALUES list
// of up to 256 statements per query (a query costs ~0.4 ms of fixed overhead on a scratch
// database with thousands of tables; 10,000 models at one query each would be 4 s of it), then
// the SQL tree and model shape of each (sql_tree.h, model_shape.h). With more than one core the
// trees of one batch are built on a second thread while DuckDB serializes the next batch.
//
// Errors: a statement that does not parse gets nullopt and its message in `errors` (same
// index); the call itself throws only when DuckDB cannot run the batch query.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "lineage/model_shape.h"

namespace baliza::lineage {

std::vector<std::optional<ModelShape>> analyze_many(Connection& conn,
                                                    const std::vector<std::string>& sqls,
                                                    std::vector<std::string>& errors);

}  // namespace baliza::lineage
