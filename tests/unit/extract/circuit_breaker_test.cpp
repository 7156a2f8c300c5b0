#include "extract/circuit_breaker.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace baliza::extract {
namespace {

CircuitOptions streak_of(int n) {
  CircuitOptions o;
  o.consecutive_failures = n;
  o.window = 0;
  o.open_for = 10s;
  o.half_open_probes = 2;
  return o;
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndRefusesWhileOpen) {
  ManualClock clock;
  CircuitBreakers b(streak_of(3), clock);
  b.record_failure("e");
  b.record_failure("e");
  b.record_success("e");  // breaks the streak
  b.record_failure("e");
  b.record_failure("e");
  EXPECT_EQ(b.state("e"), CircuitState::kClosed);
  b.record_failure("e");
  EXPECT_EQ(b.state("e"), CircuitState::kOpen);
  EXPECT_FALSE(b.try_acquire("e"));
  EXPECT_TRUE(b.try_acquire("other"));
  EXPECT_EQ(b.open_count(), 1);
  clock.advance(9s);
  EXPECT_FALSE(b.try_acquire("e"));
}

TEST(CircuitBreaker, HalfOpenLetsLimitedProbesThroughThenCloses) {
  ManualClock clock;
  CircuitBreakers b(streak_of(1), clock);
  b.record_failure("e");
  clock.advance(10s);
  EXPECT_TRUE(b.try_acquire("e"));
  EXPECT_EQ(b.state("e"), CircuitState::kHalfOpen);
  EXPECT_TRUE(b.try_acquire("e"));
  EXPECT_FALSE(b.try_acquire("e"));  // both probes are out
  b.record_success("e");
  EXPECT_EQ(b.state("e"), CircuitState::kHalfOpen);
  b.record_success("e");
  EXPECT_EQ(b.state("e"), CircuitState::kClosed);
  EXPECT_EQ(b.open_count(), 0);
}

TEST(CircuitBreaker, FailedProbeReopensForAnotherPeriod) {
  ManualClock clock;
  CircuitBreakers b(streak_of(1), clock);
  b.record_failure("e");
  clock.advance(10s);
  ASSERT_TRUE(b.try_acquire("e"));
  b.record_failure("e");
  EXPECT_EQ(b.state("e"), CircuitState::kOpen);
  clock.advance(5s);
  EXPECT_FALSE(b.try_acquire("e"));
  clock.advance(5s);
  EXPECT_TRUE(b.try_acquire("e"));
}

TEST(CircuitBreaker, ReleasedProbeFreesItsSlot) {
  ManualClock clock;
  auto options = streak_of(1);
  options.half_open_probes = 1;
  CircuitBreakers b(options, clock);
  b.record_failure("e");
  clock.advance(10s);
  ASSERT_TRUE(b.try_acquire("e"));
  EXPECT_FALSE(b.try_acquire("e"));
  b.release("e");
  EXPECT_TRUE(b.try_acquire("e"));
}

TEST(CircuitBreaker, FailureRatioInWindow) {
  ManualClock clock;
  CircuitOptions o;
  o.consecutive_failures = 0;
  o.window = 10;
  o.min_calls = 10;
  o.failure_ratio = 0.5;
  CircuitBreakers b(o, clock);
  for (int i = 0; i < 4; ++i) {  // alternating: never a streak, 50% failures
    b.record_success("e");
    b.record_failure("e");
  }
  EXPECT_EQ(b.state("e"), CircuitState::kClosed);  // 8 calls < min_calls
  b.record_success("e");
  b.record_failure("e");
  EXPECT_EQ(b.state("e"), CircuitState::kOpen);
}

TEST(CircuitBreaker, ListenerSeesEveryTransition) {
  ManualClock clock;
  auto options = streak_of(2);
  options.half_open_probes = 1;
  CircuitBreakers b(options, clock);
  std::vector<std::string> seen;
  b.set_listener([&](const std::string& endpoint, CircuitState from, CircuitState to) {
    seen.push_back(endpoint + ":" + circuit_state_name(from) + "->" + circuit_state_name(to));
  });
  b.record_failure("x");
  b.record_failure("x");
  clock.advance(10s);
  ASSERT_TRUE(b.try_acquire("x"));
  b.record_success("x");
  EXPECT_EQ(seen, (std::vector<std::string>{"x:closed->open", "x:open->half-open",
                                            "x:half-open->closed"}));
}

TEST(CircuitBreaker, RetriesOfAFailingPageDoNotOpenIt) {
  ManualClock clock;
  CircuitBreakers b(streak_of(3), clock);
  // One page failing over and over: its first attempt counts, its retries do not.
  b.record_failure("e", true, "HTTP 503");
  for (int i = 0; i < 20; ++i) b.record_failure("e", false, "HTTP 503");
  EXPECT_EQ(b.state("e"), CircuitState::kClosed);
  // Three fresh pages failing in a row: the endpoint as a whole is failing.
  b.record_failure("e", true, "HTTP 503");
  b.record_failure("e", true, "Could not connect");
  EXPECT_EQ(b.state("e"), CircuitState::kOpen);
  EXPECT_EQ(b.last_failure("e"), "Could not connect");
}

TEST(CircuitBreaker, FirstOpeningIsShortAndEachFailedProbeDoublesItUpToOpenFor) {
  ManualClock clock;
  CircuitOptions o = streak_of(1);
  o.half_open_probes = 1;
  o.min_open_for = 1s;
  o.open_for = 5s;
  CircuitBreakers b(o, clock);
  b.record_failure("e");
  EXPECT_EQ(b.state("e"), CircuitState::kOpen);
  for (auto wait : {1s, 2s, 4s, 5s, 5s}) {
    clock.advance(wait - 1ms);
    EXPECT_FALSE(b.try_acquire("e")) << wait.count();
    clock.advance(1ms);
    ASSERT_TRUE(b.try_acquire("e")) << wait.count();  // the probe
    b.record_failure("e", false);                     // a failed probe reopens it
  }
  clock.advance(5s);
  ASSERT_TRUE(b.try_acquire("e"));
  b.record_success("e");
  EXPECT_EQ(b.state("e"), CircuitState::kClosed);
  b.record_failure("e");
  clock.advance(1s);
  EXPECT_TRUE(b.try_acquire("e")) << "closing resets the opening to min_open_for";
}

}  // namespace
}  // namespace baliza::extract
