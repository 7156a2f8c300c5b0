// Connects a RenderContext to a live DuckDB connection, so templates can look at the
// database as dbt's do: run_query and {% call statement %} run SQL, adapter.get_relation
// looks in information_schema.tables, adapter.get_columns_in_relation in
// information_schema.columns. The connection must outlive every render using the context;
// renders on one connection are not concurrent (one connection per runner thread).
#pragma once

#include "db/database.h"
#include "transform/template.h"

namespace baliza::transform {

void bind_database(RenderContext& ctx, Connection& conn);

// A query's rows as template values: integers, doubles, booleans, strings, nulls (dates and
// other types as DuckDB's text).
QueryResult run_template_query(Connection& conn, const std::string& sql);

}  // namespace baliza::transform
