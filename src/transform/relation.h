// Where a node lives in the database: schema and identifier, and how SQL names it.
//
// Decided: a model's schema is its `schema` config used verbatim (models/staging with
// +schema: staging -> schema staging), else "main"; dbt's "<target>_<custom>" concatenation is
// not applied, because Baliza has one database and the folder name is what users query.
// The identifier is `alias` or the node name; sources use their yml schema and identifier.
// Nodes of a dbt project carry schema, identifier (and a non-default database) decided at load
// time by dbt's rules (dbt_naming.h); those win.
#pragma once

#include <string>

#include "transform/node.h"

namespace baliza::transform {

constexpr const char* kDefaultSchema = "main";

std::string node_schema(const Node& node);
std::string node_identifier(const Node& node);
// "schema"."identifier" ("database"."schema"."identifier" for another catalog), quoted. A
// source with meta.external_location (dbt-duckdb) is its location: 'path/{name}.parquet' (a
// quoted path DuckDB reads) or a call such as read_csv('x.csv', delim=';') as written.
std::string relation_sql(const Node& node);
// schema.identifier, for people.
std::string relation_label(const Node& node);
// The CTE name an ephemeral model is inlined as (dbt's __dbt__cte__<name>).
std::string ephemeral_cte_name(const Node& node);

}  // namespace baliza::transform
