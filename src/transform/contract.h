// Model contracts, as in dbt: `config: {contract: {enforced: true}}` on a model whose yml
// declares every column with a `data_type`. The model's SELECT must produce exactly those
// columns (names compare case-insensitively; order does not matter) with those types (compared
// as DuckDB canonicalises them: `text` is VARCHAR, `int` INTEGER, `decimal(18,2)` DECIMAL(18,2)).
//
// Checked by `baliza validate` and at build time before anything is written: the runner binds
// the SELECT (DESCRIBE, nothing runs) and a drifting model fails with the differences, so the
// table built before stays as it was.
//
// Errors: contract_problems returns the problems as text (empty: the contract holds); a
// declared type DuckDB does not know is one of them. enforce_contract throws failure (exit 1).
#pragma once

#include <string>
#include <vector>

#include "db/database.h"
#include "transform/node.h"

namespace baliza::transform {

bool contract_enforced(const Node& node);

// The output columns of `select_sql` as DuckDB binds it: (name, type).
std::vector<std::pair<std::string, std::string>> bound_columns(Connection& conn,
                                                               const std::string& select_sql);

// Each problem as a sentence with its fix, e.g. "column valor is DECIMAL(18,4) but the contract
// (models/x.yml:12) says INTEGER: change the SQL's type or the contract's data_type".
std::vector<std::string> contract_problems(
    Connection& conn, const Node& node,
    const std::vector<std::pair<std::string, std::string>>& actual);

// Binds `select_sql` and throws failure listing contract_problems when there are any.
void enforce_contract(Connection& conn, const Node& node, const std::string& select_sql);

}  // namespace baliza::transform
