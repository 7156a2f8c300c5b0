// The coordinator's write queue: one thread, one PostgreSQL connection, operations applied in
// the order they were queued, several per transaction.
//
// Every operation must be safe to apply twice (INSERT ... ON CONFLICT DO NOTHING with ids made
// by the caller, updates guarded by what they change): when the connection drops during a
// COMMIT nobody knows whether it landed, so after reconnecting (run_with_reconnect, bounded
// by `patience`) the whole batch is applied again. A batch the server refuses for another
// reason (an SQL error) is applied again one operation per transaction; each operation still
// refused is counted (refused()) and logged, and the others land.
//
// When the coordinator stays unreachable past `patience`, the batch is counted as refused and
// the writer is "lost": later batches try one connection each and are refused at once when it
// fails (no new wait of `patience` per batch), and throw_if_lost() lets the claim side stop
// the worker (exit 3) instead of fetching pages nobody can store. A batch that lands again
// clears the state.
//
// Threads: enqueue/flush/call from any thread. call() runs a function on the writer's
// connection after every operation queued before it, and returns its result (reads that must
// see earlier writes). Lifetime: the destructor applies what is queued, then stops.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "coord/pg_connection.h"

namespace baliza::coord {

class PgWriter {
 public:
  using Op = std::function<void(PgConnection&)>;

  // Connects at once (throws PgConnectionLost when it cannot).
  PgWriter(std::string url, std::chrono::seconds patience);
  ~PgWriter();
  PgWriter(const PgWriter&) = delete;
  PgWriter& operator=(const PgWriter&) = delete;

  void enqueue(Op op);
  // Blocks until every operation queued so far is committed (or counted as refused).
  void flush();
  // Runs `fn` on the writer thread after the queued operations; rethrows what it throws.
  void call(const Op& fn);
  std::uint64_t refused() const { return refused_.load(); }
  // Throws PgConnectionLost (with the last cause) while the writer is lost (see above).
  void throw_if_lost() const;

 private:
  void loop();
  void apply(std::deque<Op>& batch);

  std::string url_;
  std::chrono::seconds patience_;
  std::unique_ptr<PgConnection> conn_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::deque<Op> queue_;
  std::uint64_t queued_ = 0, applied_ = 0;
  bool stop_ = false;
  std::atomic<std::uint64_t> refused_{0};
  std::string lost_;  // the cause while lost, else empty (guarded by mutex_)
  std::thread thread_;
};

}  // namespace baliza::coord
