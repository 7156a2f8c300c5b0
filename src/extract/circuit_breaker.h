// Circuit breakers, one per endpoint, so an endpoint that is failing as a whole stops being
// hammered while the others go on.
//
//   closed     calls flow; outcomes are counted. It opens after `consecutive_failures` failures
//              in a row, or when at least `min_calls` of the last `window` outcomes are known
//              and the failed share reaches `failure_ratio`. Only failures of fresh calls (a
//              page's first attempt) count here: a page that keeps failing is that page's
//              problem, retried on its own with backoff, and must not stall the endpoint.
//   open       calls are refused until the open time has passed since it opened. The first
//              opening lasts `min_open_for` (when set), each reopening doubles it, up to
//              `open_for`; closing resets it. A blip costs a second, not `open_for`.
//   half-open  up to `half_open_probes` calls at once are let through as probes; as many
//              successes close the circuit, any failure opens it again.
// Every transition is logged with the last failure's reason (the cause of an opening) and
// passed to the listener (e.g. a progress display).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "extract/clock.h"

namespace baliza::extract {

enum class CircuitState { kClosed, kOpen, kHalfOpen };
const char* circuit_state_name(CircuitState s);

struct CircuitOptions {
  int consecutive_failures = 5;  // 0 disables this rule
  double failure_ratio = 0.5;    // 0 or window == 0 disables this rule
  int window = 20;
  int min_calls = 10;
  Duration open_for = std::chrono::seconds(30);  // the longest opening
  Duration min_open_for{};                       // the first opening; zero = open_for
  int half_open_probes = 1;
};

// The state machine of one endpoint. Not thread-safe; CircuitBreakers guards it.
class CircuitBreaker {
 public:
  explicit CircuitBreaker(const CircuitOptions& options) : options_(options) {}

  // Whether a call may start now; in half-open it takes a probe slot.
  bool try_acquire(TimePoint now);
  void record_success(TimePoint now);
  // `fresh`: the call was a first attempt (see above); a retry's failure only counts in
  // half-open.
  void record_failure(TimePoint now, bool fresh = true);
  // A permitted call ended without a verdict (cancelled): frees its probe slot.
  void release();

  CircuitState state() const { return state_; }
  TimePoint open_until() const { return open_until_; }
  Duration open_time() const { return open_time_; }

 private:
  void open(TimePoint now);
  void close();
  bool ratio_tripped() const;

  CircuitOptions options_;
  CircuitState state_ = CircuitState::kClosed;
  int consecutive_failures_ = 0;
  std::deque<bool> window_;  // true = failure, most recent at the back
  TimePoint open_until_{};
  Duration open_time_{};  // of the current or last opening
  int probes_in_flight_ = 0;
  int probe_successes_ = 0;
};

// Thread-safe map endpoint -> breaker, with transition logging and a listener.
class CircuitBreakers {
 public:
  using Listener =
      std::function<void(const std::string& endpoint, CircuitState from, CircuitState to)>;

  explicit CircuitBreakers(CircuitOptions options, const Clock& clock = SteadyClock::instance());

  // Called after each transition, outside the internal lock.
  void set_listener(Listener listener);

  bool try_acquire(const std::string& endpoint);
  void record_success(const std::string& endpoint);
  // `reason` ("Could not resolve host: ...", "HTTP 503") is kept as the endpoint's last failure.
  void record_failure(const std::string& endpoint, bool fresh = true,
                      const std::string& reason = "");
  void release(const std::string& endpoint);

  CircuitState state(const std::string& endpoint) const;
  // When an open circuit starts admitting probes (meaningless unless state() is kOpen).
  TimePoint open_until(const std::string& endpoint) const;
  // Circuits that are open or half-open.
  int open_count() const;
  // The last failure recorded for an endpoint ("" if none).
  std::string last_failure(const std::string& endpoint) const;

 private:
  template <typename Fn>
  auto apply(const std::string& endpoint, Fn fn);
  void notify(const std::string& endpoint, CircuitState from, CircuitState to);

  CircuitOptions options_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, CircuitBreaker, std::less<>> breakers_;
  std::map<std::string, std::string, std::less<>> last_failure_;
  Listener listener_;
};

}  // namespace baliza::extract
