#include "extract/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace baliza::extract {

RateLimiter::RateLimiter(RateLimit default_limit, const Clock& clock)
    : default_limit_(default_limit), clock_(clock) {}

void RateLimiter::set_limit(const std::string& host, RateLimit limit) {
  std::lock_guard lock(mutex_);
  Bucket& b = buckets_[host];
  b.limit = limit;
  b.tokens = std::max(1.0, limit.burst);
  b.refilled_at = clock_.now();
}

RateLimiter::Bucket& RateLimiter::bucket_for(const std::string& host) {
  auto it = buckets_.find(host);
  if (it != buckets_.end()) return it->second;
  Bucket b{default_limit_, std::max(1.0, default_limit_.burst), clock_.now()};
  return buckets_.emplace(host, b).first->second;
}

void RateLimiter::refill(Bucket& b, TimePoint now) const {
  const double elapsed = std::chrono::duration<double>(now - b.refilled_at).count();
  b.tokens =
      std::min(std::max(1.0, b.limit.burst), b.tokens + elapsed * b.limit.requests_per_second);
  b.refilled_at = now;
}

void RateLimiter::set_rate(const std::string& host, double requests_per_second) {
  std::lock_guard lock(mutex_);
  Bucket& b = bucket_for(host);
  if (b.limit.requests_per_second > 0) refill(b, clock_.now());
  b.limit.requests_per_second = requests_per_second;
  b.refilled_at = clock_.now();
}

void RateLimiter::drain(const std::string& host) {
  std::lock_guard lock(mutex_);
  Bucket& b = bucket_for(host);
  b.tokens = 0;
  b.refilled_at = clock_.now();
}

Duration RateLimiter::try_acquire(const std::string& host) {
  std::lock_guard lock(mutex_);
  Bucket& b = bucket_for(host);
  if (b.limit.requests_per_second <= 0) return Duration::zero();
  refill(b, clock_.now());
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return Duration::zero();
  }
  const double seconds = (1.0 - b.tokens) / b.limit.requests_per_second;
  // Round up so a caller that sleeps exactly this long finds a whole token.
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)) + Duration(1);
}

void RateLimiter::acquire(const std::string& host) {
  for (Duration wait = try_acquire(host); wait > Duration::zero(); wait = try_acquire(host)) {
    std::this_thread::sleep_for(wait);
  }
}

std::string RateLimiter::host_of(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const auto at = rest.rfind('@');  // drop user:password@
  if (at != std::string_view::npos) rest = rest.substr(at + 1);
  return std::string(rest);
}

}  // namespace baliza::extract
