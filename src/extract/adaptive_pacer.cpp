#include "extract/adaptive_pacer.h"

#include <algorithm>

#include "core/log.h"

namespace baliza::extract {
namespace {

constexpr std::size_t kSendWindow = 16;  // sends kept to measure the rate really achieved
constexpr double kCutFactor = 0.5;       // on a throttle
constexpr double kSlowCutFactor = 0.75;  // on rising latency
constexpr double kCapMargin = 0.9;       // the cap sits this far below a throttled rate
constexpr double kCapProbe = 1.1;        // lifted this much after kProbeAfter good answers
constexpr double kLatencyAlpha = 0.2;
constexpr int kLatencyWarmup = 5;

double seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string rate_text(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g/s", r);
  return buf;
}

}  // namespace

bool PacingOptions::adaptive() const {
  return start > 0 && ceiling > floor;
}

PacingOptions normalized(PacingOptions o) {
  if (o.start <= 0) return PacingOptions{0, 0, 0, o.burst};
  if (o.floor <= 0) o.floor = o.start;
  if (o.ceiling <= 0) o.ceiling = o.start;
  o.floor = std::min(o.floor, o.ceiling);
  o.start = std::clamp(o.start, o.floor, o.ceiling);
  o.burst = std::max(1.0, o.burst);
  return o;
}

AdaptivePacer::AdaptivePacer(PacingOptions options, const Clock& clock)
    : options_(normalized(options)),
      step_((options_.ceiling - options_.floor) / 40),
      clock_(clock),
      limiter_(RateLimit{options_.start, options_.burst}, clock) {}

AdaptivePacer::State& AdaptivePacer::state(const std::string& host) {
  auto it = states_.find(host);
  if (it != states_.end()) return it->second;
  State s;
  s.stats.host = host;
  s.stats.rate = options_.start > 0 ? options_.start : 0;
  return states_.emplace(host, std::move(s)).first->second;
}

Duration AdaptivePacer::try_acquire(const std::string& host) {
  const Duration wait = limiter_.try_acquire(host);
  if (wait > Duration::zero()) return wait;
  std::lock_guard lock(mutex_);
  State& s = state(host);
  s.sends.push_back(clock_.now());
  if (s.sends.size() > kSendWindow) s.sends.pop_front();
  return wait;
}

double AdaptivePacer::sending_rate(const State& s, TimePoint now) const {
  if (s.sends.size() < 4) return s.stats.rate;
  const double span = seconds(now - s.sends.front());
  if (span <= 0) return s.stats.rate;
  return static_cast<double>(s.sends.size()) / span;
}

void AdaptivePacer::set_rate(const std::string& host, State& s, double rate) {
  rate = std::clamp(rate, options_.floor, options_.ceiling);
  if (rate == s.stats.rate) return;
  s.stats.rate = rate;
  limiter_.set_rate(host, rate);
}

void AdaptivePacer::on_answer(const std::string& host, TimePoint sent_at, PaceSignal signal,
                              Duration latency) {
  std::lock_guard lock(mutex_);
  State& s = state(host);
  ++s.stats.answers;
  switch (signal) {
    case PaceSignal::kGood:
      return on_good(host, s, sent_at, latency);
    case PaceSignal::kThrottlePage:
      ++s.stats.throttle_pages;
      [[fallthrough]];
    case PaceSignal::kThrottled:
      ++s.stats.throttled;
      return on_throttle(host, s, sent_at);
    case PaceSignal::kNeutral:
      return;
  }
}

void AdaptivePacer::on_good(const std::string& host, State& s, TimePoint sent_at,
                            Duration latency) {
  const double l = seconds(latency);
  s.latency_s = s.latency_s < 0 ? l : s.latency_s + kLatencyAlpha * (l - s.latency_s);
  s.stats.latency_ms = s.latency_s * 1000;
  if (++s.latency_samples >= kLatencyWarmup) {
    s.latency_floor_s =
        s.latency_floor_s < 0 ? s.latency_s : std::min(s.latency_floor_s, s.latency_s);
  }
  if (!options_.adaptive()) return;
  const bool warm = s.latency_floor_s >= 0;
  const bool slow = warm && s.latency_s > std::max(2 * s.latency_floor_s, s.latency_floor_s + 1.0);
  if (slow) {
    s.good_streak = 0;
    if (sent_at <= s.last_cut) return;  // sent before the last cut: already acted on
    const double before = s.stats.rate;
    set_rate(host, s, before * kSlowCutFactor);
    s.last_cut = clock_.now();
    ++s.stats.cuts;
    log_info("pacing: latency is rising; slowing down",
             {{"host", host},
              {"latency_ms", std::to_string(static_cast<long>(s.latency_s * 1000))},
              {"from", rate_text(before)},
              {"to", rate_text(s.stats.rate)}});
    return;
  }
  if (warm && s.latency_s > 1.5 * s.latency_floor_s + 0.25) return;  // no raise while slow
  if (++s.good_streak < kRaiseAfter) return;
  s.good_streak = 0;
  const double cap = s.stats.cap > 0 ? std::min(s.stats.cap, options_.ceiling) : options_.ceiling;
  if (s.stats.rate >= cap) {
    if (s.stats.cap > 0 && (s.good_at_cap += kRaiseAfter) >= kProbeAfter) {
      s.good_at_cap = 0;
      s.stats.cap = std::min(options_.ceiling, s.stats.cap * kCapProbe);
    }
    return;
  }
  set_rate(host, s, std::min(cap, s.stats.rate + step_));
  ++s.stats.raises;
}

void AdaptivePacer::on_throttle(const std::string& host, State& s, TimePoint sent_at) {
  s.good_streak = 0;
  s.good_at_cap = 0;
  if (!options_.adaptive()) return;
  if (sent_at <= s.last_cut) return;  // sent at the old rate: that rate is already cut
  const TimePoint now = clock_.now();
  const double throttled_at = std::min(s.stats.rate, sending_rate(s, now));
  const double before = s.stats.rate;
  s.stats.cap = std::max(options_.floor, throttled_at * kCapMargin);
  set_rate(host, s, throttled_at * kCutFactor);
  limiter_.drain(host);
  s.last_cut = now;
  s.sends.clear();
  ++s.stats.cuts;
  log_info("pacing: the API throttled; slowing down",
           {{"host", host},
            {"from", rate_text(before)},
            {"to", rate_text(s.stats.rate)},
            {"cap", rate_text(s.stats.cap)},
            {"throttled", std::to_string(s.stats.throttled)}});
}

HostPacing AdaptivePacer::host(const std::string& host) const {
  std::lock_guard lock(mutex_);
  auto it = states_.find(host);
  if (it != states_.end()) return it->second.stats;
  HostPacing p;
  p.host = host;
  p.rate = options_.start > 0 ? options_.start : 0;
  return p;
}

std::vector<HostPacing> AdaptivePacer::hosts() const {
  std::lock_guard lock(mutex_);
  std::vector<HostPacing> out;
  for (const auto& [name, s] : states_) out.push_back(s.stats);
  return out;
}

}  // namespace baliza::extract
