// Materializations: how a compiled SELECT becomes a relation, on one Connection.
//
//   view         CREATE OR REPLACE VIEW (a table of the same name is dropped in the same
//                transaction).
//   table        CREATE OR REPLACE TABLE ... AS: one statement, one transaction, one commit.
//                DuckDB builds the new table beside the old one and swaps the catalog entry at
//                commit, so a failing SELECT leaves the old table, and its rows, untouched. A view
//                of the same name is dropped in the same transaction.
//   incremental  the SELECT lands in a temp table, then in one transaction: append (INSERT BY
//                NAME), delete+insert (rows whose unique_key appears in the new rows are deleted
//                first) or merge (DuckDB's MERGE INTO: matched rows updated column by column,
//                new ones inserted). When the target is missing, is a view, or full_refresh is
//                set, it is built as a table.
// Schemas are created as needed. Errors are baliza::Error (exit 1) with DuckDB's message.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "db/database.h"

namespace baliza::transform {

enum class RelationKind { kNone, kTable, kView };

// One catalog lookup (a query); for a single build. A run uses a RelationCatalog instead.
RelationKind relation_kind(Connection& conn, const std::string& schema, const std::string& name);

// The schemas and relations of the database, read with one query at the start of a run and
// kept current by the builders below, so building a model costs no catalog query. Valid while
// this process is the only writer (it holds the database file's lock). Names compare
// case-insensitively, as in DuckDB. Thread-safe.
class RelationCatalog {
 public:
  static std::unique_ptr<RelationCatalog> read(Connection& conn);
  RelationKind kind(const std::string& schema, const std::string& name) const;
  bool has_schema(const std::string& schema) const;
  void set(const std::string& schema, const std::string& name, RelationKind kind);

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, RelationKind> relations_;  // lower(schema) '.' lower(name)
  std::unordered_set<std::string> schemas_;                  // lower(schema)
};

struct MaterializeResult {
  std::int64_t rows = -1;  // rows written; -1 when not meaningful (views)
  std::string action;      // "created", "appended", ... for the log line
};

// `catalog`: what exists (kept current); nullptr: look it up with queries.
MaterializeResult build_view(Connection& conn, const std::string& schema, const std::string& name,
                             const std::string& sql, RelationCatalog* catalog = nullptr);
MaterializeResult build_table(Connection& conn, const std::string& schema, const std::string& name,
                              const std::string& sql, RelationCatalog* catalog = nullptr);

struct IncrementalSpec {
  std::string
      strategy;  // append, delete+insert, merge; empty: delete+insert with a key, else append
  std::vector<std::string> unique_key;
  bool full_refresh = false;
};

MaterializeResult build_incremental(Connection& conn, const std::string& schema,
                                    const std::string& name, const std::string& sql,
                                    const IncrementalSpec& spec,
                                    RelationCatalog* catalog = nullptr);

// Runs `body` again when DuckDB reports a transaction conflict between concurrent connections
// (they are transient: the other writer has committed by then). Other errors pass through.
void with_conflict_retry(const std::function<void()>& body);

}  // namespace baliza::transform
