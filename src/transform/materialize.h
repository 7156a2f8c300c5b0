// Materializations: how a compiled SELECT becomes a relation, on one Connection.
//
//   view         CREATE OR REPLACE VIEW (a table of the same name is dropped in the same
//                transaction).
//   table        built beside the old one as <name>__baliza_tmp, then in one transaction the old
//                relation is dropped and the new one renamed: a failing SELECT leaves the old
//                table, and its rows, untouched.
//   incremental  the SELECT lands in a temp table, then in one transaction: append (INSERT BY
//                NAME), delete+insert (rows whose unique_key appears in the new rows are deleted
//                first) or merge (DuckDB's MERGE INTO: matched rows updated column by column,
//                new ones inserted). When the target is missing, is a view, or full_refresh is
//                set, it is built as a table.
// Schemas are created as needed. Errors are baliza::Error (exit 1) with DuckDB's message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"

namespace baliza::transform {

enum class RelationKind { kNone, kTable, kView };

RelationKind relation_kind(Connection& conn, const std::string& schema, const std::string& name);

struct MaterializeResult {
  std::int64_t rows = -1;  // rows written; -1 when not meaningful (views)
  std::string action;      // "created", "appended", ... for the log line
};

MaterializeResult build_view(Connection& conn, const std::string& schema, const std::string& name,
                             const std::string& sql);
MaterializeResult build_table(Connection& conn, const std::string& schema, const std::string& name,
                              const std::string& sql);

struct IncrementalSpec {
  std::string
      strategy;  // append, delete+insert, merge; empty: delete+insert with a key, else append
  std::vector<std::string> unique_key;
  bool full_refresh = false;
};

MaterializeResult build_incremental(Connection& conn, const std::string& schema,
                                    const std::string& name, const std::string& sql,
                                    const IncrementalSpec& spec);

// Runs `body` again when DuckDB reports a transaction conflict between concurrent connections
// (they are transient: the other writer has committed by then). Other errors pass through.
void with_conflict_retry(const std::function<void()>& body);

}  // namespace baliza::transform
