// Runs one read request on a connection and copies the result out as text. Shared by the read
// server (requests from other processes) and local readers (db/reader.h), so both paths answer
// the same SQL the same way. With guard set, the statement must pass check_read_only_statement
// first (db/read_guard.h). Column types the C API cannot render (lists, structs, UUID, ...) come
// back as DuckDB's own text form. Parameters bind as VARCHAR (NULL for nullopt); DuckDB casts
// them to the type the statement needs.
#pragma once

#include "db/database.h"
#include "db/read_socket.h"
#include "db/text_table.h"

namespace baliza {

TextTable run_read(Connection& conn, const ReadRequest& request, bool guard);

}  // namespace baliza
