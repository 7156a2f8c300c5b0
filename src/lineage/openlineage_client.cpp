#include "lineage/openlineage_client.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/error.h"

namespace baliza::lineage {

using Clock = std::chrono::steady_clock;

EventClient::EventClient(OpenLineageConfig config, HttpPoster poster)
    : config_(std::move(config)), poster_(std::move(poster)) {
  if (!config_.enabled()) return;
  if (config_.transport == OpenLineageConfig::Transport::kFile) {
    std::error_code ec;
    if (config_.file.has_parent_path())
      std::filesystem::create_directories(config_.file.parent_path(), ec);
    file_.open(config_.file, std::ios::binary | std::ios::app);
    if (!file_) {
      throw usage_error("cannot open the OpenLineage events file " + config_.file.string() +
                        " (from " + config_.source +
                        ") for appending; fix the path or its folder's permissions");
    }
  }
  thread_ = std::thread([this] { loop(); });
}

EventClient::~EventClient() {
  close();
}

void EventClient::emit(const nlohmann::json& event) {
  if (!config_.enabled()) return;
  std::string body = event.dump();
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.emitted;
  if (closing_) {
    ++stats_.lost;
    stats_.last_error = "emitted after the client was closed";
    return;
  }
  if (queue_.size() >= config_.queue_capacity) {
    ++stats_.lost;
    stats_.last_error = "queue full (" + std::to_string(config_.queue_capacity) +
                        " events waiting): the collector is slower than the pipeline";
    return;
  }
  queue_.push_back(std::move(body));
  cv_.notify_one();
}

EventClient::Stats EventClient::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return stats_;
    closed_ = true;
    closing_ = true;
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(config_.timeout_seconds));
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  if (file_.is_open()) file_.close();
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

EventClient::Stats EventClient::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

std::string EventClient::summary() const {
  Stats s = stats();
  std::string out =
      "OpenLineage: " + std::to_string(s.delivered) + " event(s) sent to " + config_.describe();
  if (s.lost > 0) {
    out += "; " + std::to_string(s.lost) + " LOST (" + s.last_error + ")";
  }
  if (cpu_ns_.load() > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "; events cost %.3f s CPU", cpu_seconds());
    out += buf;
  }
  return out;
}

std::int64_t thread_cpu_ns() {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void EventClient::loop() {
  // The sending thread's whole CPU time is a cost of the events.
  struct Charge {
    EventClient& c;
    ~Charge() { c.add_cpu_ns(thread_cpu_ns()); }
  } charge{*this};
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
    if (queue_.empty()) return;  // closing and drained
    if (closing_ && Clock::now() >= deadline_) {
      stats_.lost += queue_.size();
      stats_.last_error = "not delivered within the " + std::to_string(config_.timeout_seconds) +
                          " s timeout at the end of the run" +
                          (stats_.last_error.empty() ? "" : "; before: " + stats_.last_error);
      queue_.clear();
      return;
    }
    if (config_.transport == OpenLineageConfig::Transport::kFile) {
      // Everything queued in one write and one flush.
      std::deque<std::string> batch;
      batch.swap(queue_);
      lock.unlock();
      bool ok = write_file(batch);
      lock.lock();
      (ok ? stats_.delivered : stats_.lost) += batch.size();
      if (!ok) stats_.last_error = "cannot write " + config_.file.string() + " (disk full?)";
      continue;
    }
    std::string body = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    bool ok = post(body);
    lock.lock();
    if (ok) {
      ++stats_.delivered;
    } else {
      ++stats_.lost;
    }
  }
}

bool EventClient::write_file(const std::deque<std::string>& bodies) {
  std::string text;
  for (const std::string& b : bodies) {
    text += b;
    text += '\n';
  }
  file_.write(text.data(), static_cast<std::streamsize>(text.size()));
  file_.flush();
  return static_cast<bool>(file_);
}

bool EventClient::post(const std::string& body) {
  PostRequest request;
  request.url = config_.post_url();
  request.body = body;
  request.headers = {"Content-Type: application/json"};
  if (!config_.api_key.empty())
    request.headers.push_back("Authorization: Bearer " + config_.api_key);
  int attempts;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    attempts = degraded_ ? 1 : 1 + config_.retries;
  }
  std::string error;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    double timeout = config_.timeout_seconds;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closing_) {
        // At the end of the run, never wait past the deadline.
        double left = std::chrono::duration<double>(deadline_ - Clock::now()).count();
        if (left <= 0) {
          stats_.last_error = error.empty() ? "timeout at the end of the run" : error;
          return false;
        }
        timeout = std::min(timeout, left);
      }
    }
    request.timeout_seconds = timeout;
    PostResponse r = poster_ ? poster_(request) : PostResponse{0, "no HTTP client"};
    if (r.status >= 200 && r.status < 300) {
      std::lock_guard<std::mutex> lock(mutex_);
      degraded_ = false;
      return true;
    }
    error = r.status == 0 ? request.url + ": " + r.error
                          : request.url + " answered HTTP " + std::to_string(r.status);
    bool retryable = r.status == 0 || r.status == 429 || r.status >= 500;
    if (!retryable) break;
    if (attempt + 1 < attempts) {
      std::unique_lock<std::mutex> lock(mutex_);
      // Short backoff (100 ms, 200 ms, ...), cut short by close().
      cv_.wait_for(lock, std::chrono::milliseconds(100 << std::min(attempt, 4)),
                   [&] { return closing_; });
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  degraded_ = true;
  stats_.last_error = error;
  return false;
}

}  // namespace baliza::lineage
