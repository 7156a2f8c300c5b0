#include "extract/page_processors.h"

#include <algorithm>

#include "core/log.h"

namespace baliza::extract {

PageProcessors::PageProcessors(Work work, unsigned threads) : work_(std::move(work)) {
  if (threads == 0) {
    const unsigned hw = std::max(2u, std::thread::hardware_concurrency());
    threads = std::min(4u, hw - 1);
  }
  for (unsigned i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      while (true) {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return closed_ || !queue_.empty(); });
        if (queue_.empty()) return;
        PageOutcome o = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        try {
          work_(o);
        } catch (const std::exception& e) {
          log_error("page processing failed", {{"url", o.url}, {"error", e.what()}});
        }
      }
    });
  }
}

PageProcessors::~PageProcessors() {
  stop();
}

void PageProcessors::push(PageOutcome outcome) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    queue_.push_back(std::move(outcome));
  }
  cv_.notify_one();
}

void PageProcessors::stop() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace baliza::extract
