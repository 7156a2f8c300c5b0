#include "extract/circuit_breaker.h"

#include <algorithm>

#include "core/log.h"

namespace baliza::extract {

const char* circuit_state_name(CircuitState s) {
  switch (s) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half-open";
  }
  return "unknown";
}

bool CircuitBreaker::try_acquire(TimePoint now) {
  if (state_ == CircuitState::kOpen) {
    if (now < open_until_) return false;
    state_ = CircuitState::kHalfOpen;
    probes_in_flight_ = 0;
    probe_successes_ = 0;
  }
  if (state_ == CircuitState::kHalfOpen) {
    if (probes_in_flight_ >= std::max(1, options_.half_open_probes)) return false;
    ++probes_in_flight_;
  }
  return true;
}

void CircuitBreaker::release() {
  if (state_ == CircuitState::kHalfOpen && probes_in_flight_ > 0) --probes_in_flight_;
}

void CircuitBreaker::record_success(TimePoint) {
  if (state_ == CircuitState::kHalfOpen) {
    release();
    if (++probe_successes_ >= std::max(1, options_.half_open_probes)) close();
    return;
  }
  if (state_ == CircuitState::kOpen) return;  // a late answer from before it opened
  consecutive_failures_ = 0;
  window_.push_back(false);
  if (static_cast<int>(window_.size()) > options_.window) window_.pop_front();
}

void CircuitBreaker::record_failure(TimePoint now, bool fresh) {
  if (state_ == CircuitState::kHalfOpen) {
    open(now);
    return;
  }
  if (state_ == CircuitState::kOpen || !fresh) return;
  ++consecutive_failures_;
  window_.push_back(true);
  if (static_cast<int>(window_.size()) > options_.window) window_.pop_front();
  const bool streak =
      options_.consecutive_failures > 0 && consecutive_failures_ >= options_.consecutive_failures;
  if (streak || ratio_tripped()) open(now);
}

bool CircuitBreaker::ratio_tripped() const {
  if (options_.window <= 0 || options_.failure_ratio <= 0) return false;
  const auto calls = static_cast<int>(window_.size());
  if (calls < std::max(1, options_.min_calls)) return false;
  const auto failures = std::count(window_.begin(), window_.end(), true);
  return static_cast<double>(failures) >= options_.failure_ratio * calls;
}

void CircuitBreaker::open(TimePoint now) {
  const Duration first = options_.min_open_for > Duration::zero()
                             ? std::min(options_.min_open_for, options_.open_for)
                             : options_.open_for;
  // A reopening (a failed probe) waits twice as long as the last opening, up to open_for.
  open_time_ =
      state_ == CircuitState::kHalfOpen ? std::min(options_.open_for, 2 * open_time_) : first;
  if (open_time_ <= Duration::zero()) open_time_ = first;
  state_ = CircuitState::kOpen;
  open_until_ = now + open_time_;
  probes_in_flight_ = 0;
  probe_successes_ = 0;
}

void CircuitBreaker::close() {
  state_ = CircuitState::kClosed;
  consecutive_failures_ = 0;
  window_.clear();
  probes_in_flight_ = 0;
  probe_successes_ = 0;
}

CircuitBreakers::CircuitBreakers(CircuitOptions options, const Clock& clock)
    : options_(options), clock_(clock) {}

void CircuitBreakers::set_listener(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

template <typename Fn>
auto CircuitBreakers::apply(const std::string& endpoint, Fn fn) {
  CircuitState from, to;
  decltype(fn(std::declval<CircuitBreaker&>(), TimePoint{})) result;
  {
    std::lock_guard lock(mutex_);
    auto it = breakers_.try_emplace(endpoint, options_).first;
    from = it->second.state();
    result = fn(it->second, clock_.now());
    to = it->second.state();
  }
  if (from != to) notify(endpoint, from, to);
  return result;
}

bool CircuitBreakers::try_acquire(const std::string& endpoint) {
  return apply(endpoint, [](CircuitBreaker& b, TimePoint now) { return b.try_acquire(now); });
}

void CircuitBreakers::record_success(const std::string& endpoint) {
  apply(endpoint, [](CircuitBreaker& b, TimePoint now) {
    b.record_success(now);
    return true;
  });
}

void CircuitBreakers::record_failure(const std::string& endpoint, bool fresh,
                                     const std::string& reason) {
  if (!reason.empty()) {
    std::lock_guard lock(mutex_);
    last_failure_[endpoint] = reason;
  }
  apply(endpoint, [fresh](CircuitBreaker& b, TimePoint now) {
    b.record_failure(now, fresh);
    return true;
  });
}

std::string CircuitBreakers::last_failure(const std::string& endpoint) const {
  std::lock_guard lock(mutex_);
  auto it = last_failure_.find(endpoint);
  return it == last_failure_.end() ? std::string() : it->second;
}

void CircuitBreakers::release(const std::string& endpoint) {
  apply(endpoint, [](CircuitBreaker& b, TimePoint) {
    b.release();
    return true;
  });
}

CircuitState CircuitBreakers::state(const std::string& endpoint) const {
  std::lock_guard lock(mutex_);
  auto it = breakers_.find(endpoint);
  return it == breakers_.end() ? CircuitState::kClosed : it->second.state();
}

TimePoint CircuitBreakers::open_until(const std::string& endpoint) const {
  std::lock_guard lock(mutex_);
  auto it = breakers_.find(endpoint);
  return it == breakers_.end() ? TimePoint{} : it->second.open_until();
}

int CircuitBreakers::open_count() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(std::count_if(breakers_.begin(), breakers_.end(), [](const auto& kv) {
    return kv.second.state() != CircuitState::kClosed;
  }));
}

void CircuitBreakers::notify(const std::string& endpoint, CircuitState from, CircuitState to) {
  LogFields fields{
      {"endpoint", endpoint}, {"from", circuit_state_name(from)}, {"to", circuit_state_name(to)}};
  if (to == CircuitState::kOpen) {
    Duration wait{};
    {
      std::lock_guard lock(mutex_);
      auto it = breakers_.find(endpoint);
      if (it != breakers_.end()) wait = it->second.open_time();
    }
    const std::string cause = last_failure(endpoint);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
    fields.push_back({"retry_in_ms", std::to_string(ms)});
    if (!cause.empty()) fields.push_back({"cause", cause});
    log_warn("circuit opened: every request to " + endpoint + " is failing (" +
                 (cause.empty() ? std::string("no answer") : cause) +
                 "); pausing it and probing again in " + std::to_string((ms + 999) / 1000) + " s",
             fields);
  } else {
    log_info("circuit state changed", fields);
  }
  Listener listener;
  {
    std::lock_guard lock(mutex_);
    listener = listener_;
  }
  if (listener) listener(endpoint, from, to);
}

}  // namespace baliza::extract
