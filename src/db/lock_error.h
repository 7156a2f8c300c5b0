// Turns DuckDB's "Could not set lock on file" into an error a user can act on: which file,
// which process (PID and full command line, read from /proc) holds it, and what to do.
#pragma once

#include <optional>
#include <string>

#include "core/error.h"

namespace baliza {

// The database file is locked by another process (exit 3). holder_pid is 0 when unknown.
class LockConflict : public Error {
 public:
  LockConflict(const std::string& message, int holder_pid)
      : Error(ExitCode::kEnvironment, message), holder_pid_(holder_pid) {}
  int holder_pid() const { return holder_pid_; }

 private:
  int holder_pid_;
};

// Returns an environment error (exit 3) when duckdb_message reports a lock conflict on path.
std::optional<LockConflict> lock_conflict_error(const std::string& path,
                                                const std::string& duckdb_message);

// The command line of a running process ("baliza extract --mes 2024-01"), or "" if unknown.
std::string process_command_line(int pid);

}  // namespace baliza
