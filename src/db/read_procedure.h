// Read procedures: named, read-only library code of a higher layer that needs a Connection
// rather than one SQL query (the lineage trace and impact of `baliza trace` / `baliza impact`,
// registered by the CLI), callable by other processes through the holder's read socket
// (db/read_server.h) and run by a reader that has the file open itself (db/reader.h), so a
// command gets the same answer whichever process runs it.
//
// run_procedure() runs one inside a READ ONLY transaction (one consistent snapshot of what is
// committed; DuckDB refuses any write in it) with the connection in select-only mode
// (Connection::set_select_only: every statement must prepare as exactly one SELECT, by DuckDB's
// statement type), and always ends that transaction. A procedure must still check any SQL text
// it takes from its caller with the read guard (db/read_guard.h: no file reads).
//
// Errors: an unknown name is a usage error (exit 2); a procedure throws baliza::Error (its exit
// code reaches the caller) or any std::exception (exit 1).
// Threads: procedures are called from several threads at once (one per client): thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "db/database.h"

namespace baliza {

// arguments (the caller's text, e.g. JSON) -> result text.
using ReadProcedure = std::function<std::string(Connection&, const std::string& arguments)>;
using ReadProcedures = std::map<std::string, ReadProcedure>;

std::string run_procedure(Connection& conn, const ReadProcedures& procedures,
                          const std::string& name, const std::string& arguments);

}  // namespace baliza
