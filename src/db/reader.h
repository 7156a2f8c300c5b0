// Readers: how a command that only reads gets at a database without waiting for a writer.
//
// open_reader() picks, in order:
//   1. the holder's read socket (db/read_server.h), when a process holding the file answers on
//      <database>.sock: reads see what the holder has committed, never wait for it, and are
//      checked by the read guard there (a write is refused with exit code 2);
//   2. the file opened read-only by this process (several read-only processes coexist; a file
//      the user may only read can be queried). With guard set, each statement passes the read
//      guard here too, and DuckDB runs with enable_external_access = false.
// When the file is locked by a process that does not answer on the socket (one starting up, or
// not baliza), open_reader retries for wait_seconds (at least a short grace for a holder that is
// starting), then throws the lock error naming the holder (exit 3). A missing file is an
// environment error (exit 3) that says how to create it.
//
// connection_reader() reads through a connection this process already has (it holds the file).
//
// Threads: a Reader belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "db/database.h"
#include "db/read_procedure.h"
#include "db/read_socket.h"
#include "db/text_table.h"

namespace baliza {

class Reader {
 public:
  virtual ~Reader() = default;
  virtual TextTable query(std::string_view sql, const SqlParams& params = {},
                          std::uint64_t max_rows = UINT64_MAX) = 0;
  // Where the reads go: "process 123 (baliza extract --mes 2024-01)" or "read-only file X".
  virtual std::string source() const = 0;
  virtual bool served_by_holder() const = 0;
  // Whether sql is one SELECT that can run here. Through a socket always true (the holder
  // decides, and refuses anything else with exit 2).
  virtual bool can_read(std::string_view sql) = 0;
  // The connection reads run on when this process has the file open itself (read-only, and
  // with external access off when guarded); nullptr through a holder's socket. For read-only
  // library code that needs a Connection (the UI's lineage trace); it must only run SELECTs.
  virtual Connection* connection() { return nullptr; }
  // Calls a read procedure (db/read_procedure.h): through a socket the holder runs it (its
  // registered procedures); on a file opened here (or this process's connection) it runs here,
  // from ReaderOptions::procedures. Same snapshot and select-only rules either way.
  virtual std::string call(const std::string& procedure, const std::string& arguments) = 0;
};

struct ReaderOptions {
  bool guard = false;       // every statement must pass check_read_only_statement
  double wait_seconds = 0;  // > 0: wait that long for a holder that does not serve; < 0: forever
  std::string threads;      // DuckDB settings when the file is opened here
  std::string memory_limit;
  std::function<void(Connection&)> setup;  // run on a connection opened here (UDFs)
  ReadProcedures procedures;               // what call() runs when the file is opened here
};

std::unique_ptr<Reader> open_reader(const std::string& database_path, const ReaderOptions& options);

std::unique_ptr<Reader> connection_reader(Connection& conn, bool guard,
                                          ReadProcedures procedures = {});

// Connects to the holder's read socket; nullptr when nobody answers there.
std::unique_ptr<Reader> socket_reader(const std::string& database_path);

}  // namespace baliza
