// Per-host token buckets: each host gets `rate` requests per second on average and may burst
// up to `burst` requests at once. Thread-safe. Non-blocking by design: try_acquire() either
// takes a token or says how long to wait, so a scheduler can serve other hosts meanwhile.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "extract/clock.h"

namespace baliza::extract {

struct RateLimit {
  double requests_per_second = 0;  // <= 0 means unlimited
  double burst = 1;                // bucket size in tokens; at least 1
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit default_limit, const Clock& clock = SteadyClock::instance());

  // Overrides the limit of one host (as returned by host_of()); resets its bucket to full.
  void set_limit(const std::string& host, RateLimit limit);

  // Changes the rate of one host, keeping the tokens it has earned so far (an adaptive pacer
  // moves the rate often; resetting the bucket each time would let bursts through).
  void set_rate(const std::string& host, double requests_per_second);

  // Empties the bucket of one host: its next request waits a whole interval.
  void drain(const std::string& host);

  // Takes one token for `host` and returns zero, or takes nothing and returns how long until
  // a token is available.
  Duration try_acquire(const std::string& host);

  // Blocks (sleeping on the real clock) until a token is taken. For simple callers only.
  void acquire(const std::string& host);

  // "host[:port]" of an URL such as "https://pncp.gov.br/api/..."; the whole string if it has
  // no scheme.
  static std::string host_of(std::string_view url);

 private:
  struct Bucket {
    RateLimit limit;
    double tokens = 0;
    TimePoint refilled_at;
  };
  Bucket& bucket_for(const std::string& host);
  void refill(Bucket& bucket, TimePoint now) const;

  RateLimit default_limit_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace baliza::extract
