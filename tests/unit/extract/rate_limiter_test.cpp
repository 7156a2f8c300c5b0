#include "extract/rate_limiter.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace baliza::extract {
namespace {

TEST(RateLimiter, BurstThenOneTokenPerInterval) {
  ManualClock clock;
  RateLimiter limiter({10, 2}, clock);  // 10/s = one token per 100 ms, bucket of 2
  EXPECT_EQ(limiter.try_acquire("h"), Duration::zero());
  EXPECT_EQ(limiter.try_acquire("h"), Duration::zero());
  const Duration wait = limiter.try_acquire("h");
  EXPECT_GT(wait, 99ms);
  EXPECT_LE(wait, 101ms);
  clock.advance(50ms);
  EXPECT_GT(limiter.try_acquire("h"), 49ms);  // half a token is not a token
  clock.advance(50ms);
  EXPECT_EQ(limiter.try_acquire("h"), Duration::zero());
  EXPECT_GT(limiter.try_acquire("h"), Duration::zero());
}

TEST(RateLimiter, IdleTimeRefillsOnlyUpToBurst) {
  ManualClock clock;
  RateLimiter limiter({10, 3}, clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.try_acquire("h"), Duration::zero());
  clock.advance(10s);
  int taken = 0;
  while (limiter.try_acquire("h") == Duration::zero()) ++taken;
  EXPECT_EQ(taken, 3);
}

TEST(RateLimiter, HostsAreIndependentAndOverridable) {
  ManualClock clock;
  RateLimiter limiter({1, 1}, clock);
  EXPECT_EQ(limiter.try_acquire("a"), Duration::zero());
  EXPECT_GT(limiter.try_acquire("a"), Duration::zero());
  EXPECT_EQ(limiter.try_acquire("b"), Duration::zero());
  limiter.set_limit("c", {0, 1});  // unlimited
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.try_acquire("c"), Duration::zero());
}

TEST(RateLimiter, BlockingAcquireSpacesCallsOnTheRealClock) {
  RateLimiter limiter({40, 1});  // 25 ms apart
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) limiter.acquire("h");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 95ms);  // 4 intervals, lower bound only
}

TEST(RateLimiter, HostOfUrl) {
  EXPECT_EQ(RateLimiter::host_of("https://pncp.gov.br/api/consulta/v1/contratos?pagina=1"),
            "pncp.gov.br");
  EXPECT_EQ(RateLimiter::host_of("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
  EXPECT_EQ(RateLimiter::host_of("http://u:p@host:1?q"), "host:1");
  EXPECT_EQ(RateLimiter::host_of("http://host"), "host");
}

}  // namespace
}  // namespace baliza::extract
