#include "extract/writer.h"

#include "core/error.h"
#include "core/log.h"

namespace baliza::extract {

Writer::Writer(Connection& conn, WriterOptions options)
    : conn_(conn), options_(options), on_error_([](const std::string& message) {
        log_error("writer: an item could not be stored", {{"error", message}});
      }) {
  if (options_.batch_items == 0) options_.batch_items = 1;
  if (options_.max_queue == 0) options_.max_queue = 1;
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  stop();
}

void Writer::set_error_handler(ErrorHandler handler) {
  std::lock_guard lock(mutex_);
  on_error_ = std::move(handler);
}

void Writer::add_buffer(std::shared_ptr<BatchBuffer> buffer) {
  std::lock_guard lock(mutex_);
  buffers_.push_back(std::move(buffer));
}

void Writer::flush_buffers() {
  std::vector<std::shared_ptr<BatchBuffer>> buffers;
  {
    std::lock_guard lock(mutex_);
    buffers = buffers_;
  }
  for (auto& b : buffers) b->flush(conn_);
}

void Writer::discard_buffers() {
  std::vector<std::shared_ptr<BatchBuffer>> buffers;
  {
    std::lock_guard lock(mutex_);
    buffers = buffers_;
  }
  for (auto& b : buffers) b->discard();
}

void Writer::enqueue(Work work) {
  push({std::move(work), false});
}

void Writer::push(Entry entry) {
  std::unique_lock lock(mutex_);
  has_room_.wait(lock, [&] { return stopping_ || queue_.size() < options_.max_queue; });
  if (stopping_) throw failure("writer is stopped; the item was not stored");
  queue_.push_back(std::move(entry));
  lock.unlock();
  has_work_.notify_one();
}

void Writer::flush() {
  call([](Connection&) {});
}

void Writer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  has_work_.notify_all();
  has_room_.notify_all();
  if (thread_.joinable()) thread_.join();
}

WriterStats Writer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Writer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    const auto deadline = batch_started_ + options_.batch_interval;
    auto ready = [&] { return stopping_ || !queue_.empty(); };
    if (batch_.empty()) {
      has_work_.wait(lock, ready);
    } else {
      has_work_.wait_until(lock, deadline, ready);
    }
    std::deque<Entry> entries;
    entries.swap(queue_);
    const bool stopping = stopping_;
    lock.unlock();
    has_room_.notify_all();

    for (Entry& entry : entries) {
      if (entry.barrier) {
        commit_batch();
        entry.work(conn_);  // a packaged task: its exception goes to the caller
        continue;
      }
      if (!in_transaction_) {
        try {
          conn_.execute("BEGIN TRANSACTION");
        } catch (const std::exception& e) {
          std::lock_guard guard(mutex_);
          ++stats_.failed;
          on_error_(e.what());
          continue;
        }
        in_transaction_ = true;
        batch_started_ = std::chrono::steady_clock::now();
      }
      batch_.push_back(std::move(entry.work));
      try {
        batch_.back()(conn_);
      } catch (const std::exception& e) {
        replay_batch(e.what());
        continue;
      }
      if (batch_.size() >= options_.batch_items) commit_batch();
    }
    if (!batch_.empty() && (stopping || std::chrono::steady_clock::now() - batch_started_ >=
                                            options_.batch_interval)) {
      commit_batch();
    }
    lock.lock();
    if (stopping_ && queue_.empty()) {
      lock.unlock();
      commit_batch();
      return;
    }
  }
}

void Writer::commit_batch() {
  if (!in_transaction_) return;
  try {
    flush_buffers();
    conn_.execute("COMMIT");
  } catch (const std::exception& e) {
    replay_batch(e.what());
    return;
  }
  in_transaction_ = false;
  std::lock_guard lock(mutex_);
  stats_.items += batch_.size();
  ++stats_.batches;
  batch_.clear();
}

// The batch's transaction failed: undo it and run each item in its own transaction, so only
// the items that fail on their own are lost.
void Writer::replay_batch(const std::string& first_error) {
  try {
    conn_.execute("ROLLBACK");
  } catch (...) {
    // Already rolled back by DuckDB after the error.
  }
  in_transaction_ = false;
  discard_buffers();
  log_debug("writer: batch failed, replaying item by item",
            {{"items", std::to_string(batch_.size())}, {"error", first_error}});
  std::vector<Work> items;
  items.swap(batch_);
  for (Work& item : items) {
    try {
      conn_.transaction([&] {
        item(conn_);
        flush_buffers();
      });
      std::lock_guard lock(mutex_);
      ++stats_.items;
      ++stats_.batches;
    } catch (const std::exception& e) {
      discard_buffers();
      std::lock_guard lock(mutex_);
      ++stats_.failed;
      on_error_(e.what());
    }
  }
}

}  // namespace baliza::extract
