// Dependencies written as plain SQL: schema-qualified table names found by DuckDB's own parser
// (json_serialize_sql), so a project with no templating still gets the right DAG.
//
// A BASE_TABLE reference "staging.x" that names a model (schema staging, identifier x), a seed
// or a source becomes an edge; an unqualified name is looked up in schema main unless a CTE of
// the same statement has that name. Names that match no node are outside the project (e.g.
// raw.api_requests written by extraction) and are ignored. A model referencing itself (an
// incremental model reading {{ this }}) is not an edge.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "transform/dag.h"

namespace baliza::transform {

struct TableName {
  std::string schema;  // empty when unqualified
  std::string table;
};

struct ParsedSql {
  std::vector<TableName> tables;            // every BASE_TABLE, CTE names left out
  std::optional<std::string> error;         // DuckDB's parser message
  std::optional<std::size_t> error_offset;  // byte offset of the error in the SQL, if known
};

// Reads one json_serialize_sql() document.
ParsedSql parse_serialized_sql(std::string_view json);

// Parses every SQL text with DuckDB's parser, in batches of one query each.
std::vector<ParsedSql> parse_sql_batch(Connection& conn, const std::vector<std::string>& sqls);

struct PlainSqlEdges {
  std::size_t added = 0;
  // Model index in the Dag -> parser error for its SQL (reported when the model runs).
  std::vector<std::pair<std::size_t, ParsedSql>> errors;
};

// Renders every enabled model (is_incremental false; a model whose render fails without the
// database is left out), parses them in one batch and adds the
// edges found to `dag`. Throws usage_error when an edge closes a cycle (the cycle is named).
PlainSqlEdges add_plain_sql_dependencies(const Project& project, Dag& dag, Connection& conn);

}  // namespace baliza::transform
