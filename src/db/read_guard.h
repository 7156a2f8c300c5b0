// The read guard: decides whether a statement from outside the process (another baliza process
// through the read socket, or the web UI) may run. It may when it is one SELECT that neither
// writes, attaches, installs, nor touches files:
//   1. DuckDB prepares it and reports its type (duckdb_prepared_statement_type): only
//      DUCKDB_STATEMENT_TYPE_SELECT passes, so INSERT, COPY, ATTACH, INSTALL, LOAD, SET,
//      PRAGMA, CALL, CREATE, EXPORT, CHECKPOINT, ... and several statements at once are refused;
//   2. its parse tree (json_serialize_sql) is walked: table functions must be on a short list
//      of in-memory ones (range, unnest, duckdb_tables, ...), so read_csv, read_text, glob,
//      query(), checkpoint() are refused; a table name that looks like a path ('x.csv',
//      "/etc/hosts") is refused, so no replacement scan can open a file.
// A refused statement throws a usage error (exit 2) that says why and what to do instead.
// The guard prepares on the given connection, so tables are resolved as the caller sees them.
//
// Where the reading process opened the file itself, it also runs DuckDB with
// enable_external_access = false (db/reader.h), so the file rules hold twice.
#pragma once

#include <string_view>

#include "db/database.h"

namespace baliza {

void check_read_only_statement(Connection& conn, std::string_view sql);

// True when sql prepares as exactly one statement of type SELECT (no error is thrown).
bool is_single_select(Connection& conn, std::string_view sql);

}  // namespace baliza
