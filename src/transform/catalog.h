// dbt's catalog.json (v1, what `dbt docs generate` writes): for every model, seed, snapshot
// and source of the project that exists in the database, its relation type and columns
// (name, DuckDB type, position) read from information_schema, and a row-count stat for tables.
// Nodes whose relation does not exist (never built, ephemeral models, tests) are left out, as
// dbt leaves them out. Read-only: the database is only queried.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "transform/project.h"

namespace baliza::transform {

nlohmann::json catalog_json(const Project& project, Connection& conn,
                            const std::string& invocation_id);

}  // namespace baliza::transform
