// A small pool of page processors: threads that take fetched pages off a queue and run the
// expensive part of handling them (hash, compress, fingerprint, then the task's decision) off
// the fetch engine's scheduling thread, which only enqueues.
//
// Contract: push() never blocks for long (an unbounded queue: the engine's in-flight limit
// bounds it). stop() lets the threads drain what is queued, then joins them; push() after
// stop() is ignored. An exception thrown by `work` is logged with the page's URL and the
// thread goes on. The destructor stops.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "extract/fetch_engine.h"

namespace baliza::extract {

class PageProcessors {
 public:
  using Work = std::function<void(PageOutcome&)>;

  // `threads` = 0: min(4, hardware threads - 1), at least 1.
  PageProcessors(Work work, unsigned threads = 0);
  ~PageProcessors();
  PageProcessors(const PageProcessors&) = delete;
  PageProcessors& operator=(const PageProcessors&) = delete;

  void push(PageOutcome outcome);
  void stop();

 private:
  Work work_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<PageOutcome> queue_;
  bool closed_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace baliza::extract
