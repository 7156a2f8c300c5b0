#include "coord/pg_writer.h"

#include <exception>

#include "core/log.h"

namespace baliza::coord {
namespace {
constexpr std::size_t kMaxBatch = 256;
}

PgWriter::PgWriter(std::string url, std::chrono::seconds patience)
    : url_(std::move(url)), patience_(patience), conn_(std::make_unique<PgConnection>(url_)) {
  thread_ = std::thread([this] { loop(); });
}

PgWriter::~PgWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PgWriter::enqueue(Op op) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(op));
    ++queued_;
  }
  wake_.notify_all();
}

void PgWriter::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_;
  done_.wait(lock, [&] { return applied_ >= target; });
}

void PgWriter::call(const Op& fn) {
  std::exception_ptr error;
  enqueue([&](PgConnection& c) {
    try {
      fn(c);
    } catch (const PgConnectionLost&) {
      throw;  // the batch is applied again on a new connection
    } catch (...) {
      error = std::current_exception();
    }
  });
  flush();
  if (error) std::rethrow_exception(error);
}

void PgWriter::loop() {
  for (;;) {
    std::deque<Op> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) return;
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const std::size_t n = batch.size();
    apply(batch);
    {
      std::lock_guard lock(mutex_);
      applied_ += n;
    }
    done_.notify_all();
  }
}

void PgWriter::throw_if_lost() const {
  std::string cause;
  {
    std::lock_guard lock(mutex_);
    cause = lost_;
  }
  if (!cause.empty()) throw PgConnectionLost(cause);
}

void PgWriter::apply(std::deque<Op>& batch) {
  bool lost = false;
  {
    std::lock_guard lock(mutex_);
    lost = !lost_.empty();
  }
  if (lost && !conn_) {
    try {
      conn_ = std::make_unique<PgConnection>(url_);  // one attempt: no new wait of `patience`
    } catch (const PgConnectionLost&) {
      refused_ += batch.size();
      return;
    }
  }
  try {
    run_with_reconnect(conn_, url_, patience_, [&] {
      conn_->transaction([&] {
        for (Op& op : batch) op(*conn_);
      });
    });
    std::lock_guard lock(mutex_);
    lost_.clear();
    return;
  } catch (const PgConnectionLost& e) {
    refused_ += batch.size();
    {
      std::lock_guard lock(mutex_);
      lost_ = e.what();
    }
    log_error("could not store extraction records: the coordinator stayed unreachable",
              {{"error", e.what()}, {"records", std::to_string(batch.size())}});
    return;
  } catch (const Error&) {
    // An operation was refused: apply them one by one so the others land.
  }
  for (Op& op : batch) {
    try {
      run_with_reconnect(conn_, url_, patience_, [&] { conn_->transaction([&] { op(*conn_); }); });
    } catch (const Error& e) {
      ++refused_;
      log_error("could not store an extraction record", {{"error", e.what()}});
    }
  }
}

}  // namespace baliza::coord
