// One connection to the coordinator's PostgreSQL server, through libpq (loaded lazily,
// libpq_api.h).
//
// The URL is anything libpq's PQconnectdb takes: a URI (postgresql://user@host:5432/db) or
// key=value pairs; libpq's environment (PGHOST, PGUSER, PGPASSWORD, ...) and ~/.pgpass apply
// as usual. Passwords never appear in messages (redact_url).
//
// Errors:
//   - cannot connect (refused, bad host, bad password, no such database), and a connection
//     lost mid-statement (server restart, network): PgConnectionLost, exit code 3, with the
//     server's message, the redacted URL and the fix. run_with_reconnect() retries a unit of
//     work across such losses for a bounded time;
//   - missing permissions (SQLSTATE 42501): environment error (3) naming the grant to add;
//   - any other SQL error: baliza::Error with exit code 1 and the statement's first line.
// Threads: a connection belongs to one thread at a time. Lifetime: closes on destruction.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coord/redact.h"
#include "core/error.h"

struct pg_conn;
struct pg_result;

namespace baliza::coord {

// The connection went away (or never came): retrying on a new connection may succeed.
class PgConnectionLost : public Error {
 public:
  explicit PgConnectionLost(const std::string& message) : Error(ExitCode::kEnvironment, message) {}
};

// The server aborted the statement to break a deadlock or a serialization conflict (SQLSTATE
// 40P01 / 40001): running the same unit of work again is the cure.
class PgTransient : public Error {
 public:
  explicit PgTransient(const std::string& message) : Error(ExitCode::kFailure, message) {}
};

// A statement parameter: NULL, text, or raw bytes (bytea).
struct PgParam {
  std::optional<std::string> value;
  bool binary = false;
  static PgParam null() { return {}; }
  static PgParam bytes(std::string b) { return {std::move(b), true}; }
  PgParam() = default;
  PgParam(std::optional<std::string> v, bool bin = false) : value(std::move(v)), binary(bin) {}
  PgParam(const std::string& v) : value(v) {}
  PgParam(const char* v) : value(std::string(v)) {}
  PgParam(std::int64_t v) : value(std::to_string(v)) {}
  PgParam(int v) : value(std::to_string(v)) {}
  PgParam(std::optional<std::int64_t> v)
      : value(v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt) {}
};

// Rows of one statement. Values are text, except for a statement run with binary results.
class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  bool is_null(int row, int col) const;
  std::string get(int row, int col) const;  // "" for NULL
  std::optional<std::string> get_optional(int row, int col) const;
  std::int64_t get_int64(int row, int col) const;  // text results only
  std::int64_t affected() const;                   // rows an INSERT/UPDATE/DELETE touched

 private:
  pg_result* result_;
};

class PgConnection {
 public:
  // Connects; throws PgConnectionLost when the server cannot be reached or refuses us.
  explicit PgConnection(std::string url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PgResult exec(const std::string& sql, const std::vector<PgParam>& params = {},
                bool binary_result = false);
  // Several statements without parameters (DDL scripts), in one round trip.
  void exec_script(const std::string& sql);
  // BEGIN; body(); COMMIT — ROLLBACK when body throws (and the connection is still up).
  void transaction(const std::function<void()>& body);

  const std::string& url() const { return url_; }

 private:
  [[noreturn]] void fail(pg_result* result, const std::string& sql);
  std::string url_;
  pg_conn* conn_ = nullptr;
};

// The name every later connection of this process shows in pg_stat_activity.application_name
// (e.g. "baliza worker w1"), so an operator can tell workers' sessions apart (and end one).
void set_session_name(const std::string& name);
// idle_in_transaction_session_timeout (seconds, 0 = the server's default) of every later
// connection of this process: a worker paused inside a transaction (SIGSTOP, a frozen VM) has its
// session ended by the server, so the row locks it held never stall the other workers' reaping.
// Workers set it; `pull` (which holds one snapshot while it writes locally) must not.
void set_session_idle_timeout(int seconds);

// Runs `unit` with a connection, reconnecting and running it again after PgConnectionLost
// until it succeeds or `patience` has passed since the first loss (then the last loss is
// rethrown); after PgTransient (a deadlock), runs it again at once, up to 20 times. `conn` is
// replaced on each reconnect. `unit` must be safe to run again: a transaction, or idempotent
// statements. Each loss is logged once with its cause.
void run_with_reconnect(std::unique_ptr<PgConnection>& conn, const std::string& url,
                        std::chrono::seconds patience, const std::function<void()>& unit);

}  // namespace baliza::coord
