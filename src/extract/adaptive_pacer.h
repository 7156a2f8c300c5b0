// Adaptive pacing per host: as fast as the API allows, no faster.
//
// Each host has a request rate (a token bucket, rate_limiter.h) that starts at a safe value and
// moves with what the host answers, AIMD-like:
//   - raise slowly: after every kRaiseAfter good answers in a row (2xx, 204, 4xx: the host
//     answered) the rate grows by a fixed step, (ceiling - floor) / 40, up to the ceiling or up
//     to the cap learned from the last throttle, whichever is lower;
//   - cut fast on a throttle (429, or an HTML "Limite de Requisições Excedido" page with status
//     200): the rate is halved from what the client was really sending (the bucket may allow
//     more than the concurrency achieves), the bucket is emptied, and a cap of 90% of the
//     throttled rate is remembered so the rate settles below the throttle instead of
//     oscillating through it. After kProbeAfter good answers at the cap, the cap is lifted by
//     10%, so a host that became more permissive is found again;
//   - cut gently (x0.75) when latency rises: the average latency of good answers grows past
//     twice its lowest value and one second above it; no raise happens while latency is high;
//   - a signal only cuts once: answers to requests sent before the last cut say nothing about
//     the new rate, so they are counted but do not cut again.
// The rate never leaves [floor, ceiling]. With floor == ceiling (or no rate at all) pacing is
// a fixed token bucket and only the counters move.
//
// Thread-safe. The clock is injectable (tests move it by hand).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "extract/clock.h"
#include "extract/rate_limiter.h"

namespace baliza::extract {

struct PacingOptions {
  double start = 0;    // requests per second per host at the start; <= 0: unlimited
  double floor = 0;    // never below (defaults to start when 0)
  double ceiling = 0;  // never above (defaults to start when 0)
  double burst = 1;    // bucket size in requests
  bool adaptive() const;
};

// Fills floor and ceiling from start when unset and clamps start into [floor, ceiling].
PacingOptions normalized(PacingOptions options);

// What one answer says about the pace.
enum class PaceSignal {
  kGood,          // the host answered (2xx, 204, 4xx other than 429)
  kThrottled,     // HTTP 429
  kThrottlePage,  // an HTML throttle page served with status 200
  kNeutral,       // 5xx, transport errors: nothing about the pace
};

// One host's pacing, for progress lines, summaries and metrics.
struct HostPacing {
  std::string host;
  double rate = 0;                   // requests per second now; 0 = unlimited
  double cap = 0;                    // learned from the last throttle; 0 = none yet
  std::uint64_t answers = 0;         // answers seen
  std::uint64_t throttled = 0;       // 429s and throttle pages
  std::uint64_t throttle_pages = 0;  // of which HTML pages with status 200
  std::uint64_t cuts = 0, raises = 0;
  double latency_ms = 0;  // moving average of good answers
};

class AdaptivePacer {
 public:
  static constexpr int kRaiseAfter = 10;
  static constexpr int kProbeAfter = 100;

  explicit AdaptivePacer(PacingOptions options, const Clock& clock = SteadyClock::instance());

  // Zero and a request may go now (it is counted as sent), or how long until one may.
  Duration try_acquire(const std::string& host);

  // The answer to a request sent at `sent_at` to `host`; `latency` from send to answer.
  void on_answer(const std::string& host, TimePoint sent_at, PaceSignal signal, Duration latency);

  HostPacing host(const std::string& host) const;
  std::vector<HostPacing> hosts() const;  // sorted by host
  const PacingOptions& options() const { return options_; }

 private:
  struct State {
    HostPacing stats;
    int good_streak = 0;
    int good_at_cap = 0;
    TimePoint last_cut{};
    std::deque<TimePoint> sends;  // the last few, for the rate really achieved
    double latency_s = -1;        // moving average; < 0 before the first sample
    double latency_floor_s = -1;  // its lowest value after a few samples
    int latency_samples = 0;
  };
  State& state(const std::string& host);
  double sending_rate(const State& s, TimePoint now) const;
  void set_rate(const std::string& host, State& s, double rate);
  void on_good(const std::string& host, State& s, TimePoint sent_at, Duration latency);
  void on_throttle(const std::string& host, State& s, TimePoint sent_at);

  PacingOptions options_;
  double step_ = 0;
  const Clock& clock_;
  RateLimiter limiter_;
  mutable std::mutex mutex_;
  std::map<std::string, State, std::less<>> states_;
};

}  // namespace baliza::extract
