// Turns DuckDB's "Could not set lock on file" into an error a user can act on: which file,
// which process (PID and full command line, read from /proc) holds it, and what to do.
#pragma once

#include <optional>
#include <string>

#include "core/error.h"

namespace baliza {

// Returns an environment error (exit 3) when duckdb_message reports a lock conflict on path.
std::optional<Error> lock_conflict_error(const std::string& path,
                                         const std::string& duckdb_message);

// The command line of a running process ("baliza extract --mes 2024-01"), or "" if unknown.
std::string process_command_line(int pid);

}  // namespace baliza
