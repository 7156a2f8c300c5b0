// The read server: the process that holds a database file (DuckDB lets one process write it)
// answers other baliza processes' read-only queries through a Unix socket next to the file
// (db/read_socket.h), so `baliza query`, `dump-catalog`, `recovery-status` and `baliza ui` work
// during an hours-long extraction, seeing what it has committed.
//
// Security: the socket is created under a temporary name, chmod 0600, then renamed into place,
// so it is never reachable by other users; each connection's peer must also have this process's
// uid (SO_PEERCRED). Every statement goes through the read guard (db/read_guard.h): one SELECT,
// no writes, attaches, installs or file reads; a refusal is answered with exit code 2.
//
// Procedures: besides SQL, a client may call a read procedure by name (db/read_procedure.h,
// read_socket.h version 2), registered by whoever starts the server; it runs on the client's
// connection through run_procedure() (one READ ONLY transaction, select-only statements). Its
// result text travels as a one-cell table.
//
// Threads: one accept thread; one thread and one DuckDB connection per client connection (a
// connection sees committed data: its own transaction per statement). The holder's writer is
// unaffected (DuckDB's MVCC). stop() (and the destructor) closes the socket, interrupts running
// queries, joins every thread and removes the socket file. The server keeps the Database open until
// then.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/database.h"
#include "db/read_procedure.h"
#include "db/read_socket.h"
#include "db/text_table.h"

namespace baliza {

class ReadServer {
 public:
  // Runs on each new connection before it serves (may be empty). Note that DuckDB registers
  // scalar functions database-wide: the holder's own registrations are visible here already.
  using ConnectionSetup = std::function<void(Connection&)>;

  // Binds <database>.sock (replacing a stale one: holding the database proves nobody else
  // serves it) and starts serving. Throws an environment error when the socket cannot be made.
  static std::unique_ptr<ReadServer> start(std::shared_ptr<Database> db, ConnectionSetup setup,
                                           ReadProcedures procedures = {});
  ~ReadServer();
  ReadServer(const ReadServer&) = delete;
  ReadServer& operator=(const ReadServer&) = delete;

  void stop();
  const std::string& socket_path() const { return path_; }

 private:
  struct Client;
  ReadServer(std::shared_ptr<Database> db, ConnectionSetup setup, ReadProcedures procedures,
             std::string path, int listen_fd);
  void accept_loop();
  void serve(Client* client);
  TextTable call(Connection& conn, const ReadRequest& request);

  std::shared_ptr<Database> db_;
  ConnectionSetup setup_;
  ReadProcedures procedures_;
  std::string path_;
  int listen_fd_;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Client>> clients_;
};

}  // namespace baliza
