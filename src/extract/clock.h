// A monotonic clock that tests can replace, shared by the rate limiter, the circuit breaker
// and the fetch engine. Production code uses SteadyClock; tests use ManualClock and move time
// forward explicitly, so timing logic is checked without sleeping.
#pragma once

#include <atomic>
#include <chrono>

namespace baliza::extract {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  // The process-wide instance, used when a component is given no clock.
  static const SteadyClock& instance() {
    static const SteadyClock clock;
    return clock;
  }
};

// Starts at an arbitrary fixed point; advance() is thread-safe.
class ManualClock final : public Clock {
 public:
  TimePoint now() const override { return TimePoint(Duration(ticks_.load())); }
  void advance(Duration d) { ticks_.fetch_add(d.count()); }

 private:
  std::atomic<Duration::rep> ticks_{
      std::chrono::duration_cast<Duration>(std::chrono::hours(1)).count()};
};

}  // namespace baliza::extract
