// dbt-duckdb's `external` materialization: the model's rows are written to files with COPY and
// the relation is a view reading them back, so other models (and other tools) read the files.
//
//   location      file or folder (default: <alias>.<format> in the current folder, as
//                 dbt-duckdb's external_root '.'); {name} is replaced by the model's alias
//   format        parquet (default), csv or json; else taken from the location's extension
//   partition_by  a column or list: hive-partitioned folders under `location`
//   delimiter     csv only
// Relative locations are relative to the current folder, as dbt-duckdb writes them. Errors are
// baliza::Error with DuckDB's message; a bad config is a usage error naming the model.
#pragma once

#include <string>

#include "transform/materialize.h"
#include "transform/node.h"

namespace baliza::transform {

MaterializeResult build_external(Connection& conn, const Node& model, const std::string& schema,
                                 const std::string& name, const std::string& sql,
                                 RelationCatalog* catalog = nullptr);

}  // namespace baliza::transform
