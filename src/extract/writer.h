// The writer thread: the one place where an extraction touches DuckDB.
//
// HTTP threads and page processors never hold the connection. They enqueue work items
// (closures over the connection: "store this page and its result row", "mark this task
// done"); the writer runs them in order, batched in transactions of up to `batch_items`
// items or `batch_interval` of time, whichever comes first, so each commit carries many pages.
// An item is all-or-nothing: it runs inside one transaction with the rest of its batch. If an
// item throws, the batch is rolled back and replayed one item per transaction, so only the
// failing item is lost; it is reported to the error handler.
//
// call() runs a closure synchronously on the writer thread after committing everything
// queued before it (claims, reads that must see earlier writes), and returns its result or
// rethrows its exception. The closure manages its own transaction.
//
// Batch buffers: items may also accumulate rows in a BatchBuffer (bulk loaded through the
// appender, applied with set-based SQL) instead of running statements one by one. Every
// registered buffer is flushed inside the batch's transaction just before it commits (and
// before each replayed item commits); an item that must see buffered rows (an UPDATE of them)
// flushes the buffer itself first. On rollback the buffers are discarded and refilled by the
// replay.
//
// enqueue() blocks while `max_queue` items are waiting (backpressure instead of unbounded
// memory when the disk is slower than the network). stop() commits what is queued and joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "db/database.h"

namespace baliza::extract {

struct WriterOptions {
  std::size_t batch_items = 512;
  std::chrono::milliseconds batch_interval{100};
  std::size_t max_queue = 4096;
};

class BatchBuffer {
 public:
  virtual ~BatchBuffer() = default;
  virtual void flush(Connection& conn) = 0;  // writes and clears what is buffered
  virtual void discard() = 0;                // forgets it (the transaction rolled back)
};

struct WriterStats {
  std::uint64_t items = 0;    // work items committed
  std::uint64_t batches = 0;  // transactions committed
  std::uint64_t failed = 0;   // items that threw (reported, not committed)
};

class Writer {
 public:
  using Work = std::function<void(Connection&)>;
  using ErrorHandler = std::function<void(const std::string& message)>;

  Writer(Connection& conn, WriterOptions options = {});
  ~Writer();  // stop()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Called on the writer thread for each item that failed; the default logs an error.
  void set_error_handler(ErrorHandler handler);
  // Registers a buffer to flush before every commit. Call before enqueuing items that use it.
  void add_buffer(std::shared_ptr<BatchBuffer> buffer);

  // Queues an item. Thread-safe; blocks while the queue is full. Throws after stop().
  void enqueue(Work work);

  // Runs fn(conn) on the writer thread once everything queued before is committed.
  template <typename Fn>
  auto call(Fn fn) -> std::invoke_result_t<Fn, Connection&> {
    using R = std::invoke_result_t<Fn, Connection&>;
    auto task = std::make_shared<std::packaged_task<R(Connection&)>>(std::move(fn));
    std::future<R> result = task->get_future();
    push({[task](Connection& c) { (*task)(c); }, true});
    return result.get();
  }

  // Waits until every item queued so far is committed.
  void flush();
  // Commits what is queued and joins the thread. Idempotent.
  void stop();

  WriterStats stats() const;

 private:
  struct Entry {
    Work work;
    bool barrier = false;  // run alone, after committing the open batch
  };
  void push(Entry entry);
  void run();
  void commit_batch();
  void replay_batch(const std::string& first_error);
  void flush_buffers();
  void discard_buffers();

  Connection& conn_;
  WriterOptions options_;
  ErrorHandler on_error_;
  std::vector<std::shared_ptr<BatchBuffer>> buffers_;

  mutable std::mutex mutex_;
  std::condition_variable has_work_;
  std::condition_variable has_room_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  WriterStats stats_;

  // Owned by the writer thread.
  std::vector<Work> batch_;
  bool in_transaction_ = false;
  std::chrono::steady_clock::time_point batch_started_;

  std::thread thread_;
};

}  // namespace baliza::extract
