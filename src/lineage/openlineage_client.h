// Sends OpenLineage events off the pipeline's threads: emit() only serializes and queues
// (bounded), one background thread writes the events to the configured transport (a JSON-lines
// file, whatever is queued in one write, or one HTTP POST per event to a collector such as
// Marquez's /api/v1/lineage), in emission order.
//
// A collector that is down costs the pipeline at most its timeout:
//   - POSTs happen on the client's thread, never the caller's;
//   - a POST that fails (transport error, 5xx, 429) is retried `retries` times with a short
//     backoff; once an event exhausted its retries, later events get one attempt each until
//     one succeeds (a down collector is not hammered);
//   - close() waits for the queue to drain for at most `timeout_seconds`, then gives up;
//   - a full queue drops the new event.
// Every event not delivered is counted in Stats::lost with the last error, and the caller
// reports it; nothing fails because lineage could not be delivered. A 4xx other than 429 is
// not retried (the event is wrong, resending will not help) and counts as lost.
//
// Threads: emit() and stats() from any thread. The poster is called on the client's thread
// only. Lifetime: the destructor calls close().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "lineage/openlineage_config.h"

namespace baliza::lineage {

struct PostRequest {
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  double timeout_seconds = 5;
};

struct PostResponse {
  long status = 0;    // HTTP status; 0 when no answer came (refused, timeout, ...)
  std::string error;  // transport error text when status is 0
};

// Performs one HTTP POST; supplied by a layer that owns an HTTP client (ops wires libcurl).
using HttpPoster = std::function<PostResponse(const PostRequest&)>;

class EventClient {
 public:
  struct Stats {
    std::uint64_t emitted = 0;
    std::uint64_t delivered = 0;
    std::uint64_t lost = 0;
    std::string last_error;  // why the last lost event was lost
  };

  // Throws a usage error when the file transport's file cannot be opened for appending.
  EventClient(OpenLineageConfig config, HttpPoster poster);
  ~EventClient();
  EventClient(const EventClient&) = delete;
  EventClient& operator=(const EventClient&) = delete;

  const OpenLineageConfig& config() const { return config_; }
  bool enabled() const { return config_.enabled(); }

  void emit(const nlohmann::json& event);
  // Drains the queue for at most the configured timeout; idempotent. Returns the final stats.
  Stats close();
  Stats stats() const;
  // One line for the end of a run: "OpenLineage: 42 events sent to <where>" or with losses, and
  // the CPU the events cost when it was measured ("; events cost 0.012 s CPU").
  std::string summary() const;

  // The CPU time events cost: what callers charged (CpuCharge: building the events on the
  // threads that emit them) plus the sending thread's own CPU, counted when it ends (close()).
  void add_cpu_ns(std::int64_t ns) { cpu_ns_ += ns; }
  double cpu_seconds() const { return static_cast<double>(cpu_ns_.load()) / 1e9; }

 private:
  void loop();
  bool write_file(const std::deque<std::string>& bodies);  // file transport: one write
  bool post(const std::string& body);

  OpenLineageConfig config_;
  HttpPoster poster_;
  std::ofstream file_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool closing_ = false;
  bool closed_ = false;
  bool degraded_ = false;  // the last event exhausted its retries: one attempt per event
  std::chrono::steady_clock::time_point deadline_{};
  Stats stats_;
  std::atomic<std::int64_t> cpu_ns_{0};
  std::thread thread_;
};

// The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), in nanoseconds.
std::int64_t thread_cpu_ns();

// Charges the calling thread's CPU time from construction to destruction to `client` (a disabled
// client: nothing). For code that builds and emits events.
class CpuCharge {
 public:
  explicit CpuCharge(EventClient& client)
      : client_(client), start_(client.enabled() ? thread_cpu_ns() : 0) {}
  ~CpuCharge() {
    if (client_.enabled()) client_.add_cpu_ns(thread_cpu_ns() - start_);
  }
  CpuCharge(const CpuCharge&) = delete;
  CpuCharge& operator=(const CpuCharge&) = delete;

 private:
  EventClient& client_;
  std::int64_t start_;
};

}  // namespace baliza::lineage
