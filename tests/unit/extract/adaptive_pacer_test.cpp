#include "extract/adaptive_pacer.h"

#include <gtest/gtest.h>

#include "extract/throttle_page.h"

using namespace std::chrono_literals;

namespace baliza::extract {
namespace {

constexpr auto kFast = 50ms;  // latency of a healthy answer

// Sends one request as soon as the pacer allows it (moving the manual clock), answers it with
// `signal` and returns when it was sent.
TimePoint send(AdaptivePacer& pacer, ManualClock& clock, PaceSignal signal,
               Duration latency = kFast) {
  for (Duration wait = pacer.try_acquire("h"); wait > Duration::zero();
       wait = pacer.try_acquire("h")) {
    clock.advance(wait);
  }
  const TimePoint sent = clock.now();
  pacer.on_answer("h", sent, signal, latency);
  return sent;
}

TEST(AdaptivePacer, RaisesSlowlyWhileAnswersAreGoodUpToTheCeiling) {
  ManualClock clock;
  AdaptivePacer pacer({1, 0.5, 3, 1}, clock);
  EXPECT_DOUBLE_EQ(pacer.host("h").rate, 1);
  for (int i = 0; i < AdaptivePacer::kRaiseAfter - 1; ++i) send(pacer, clock, PaceSignal::kGood);
  EXPECT_DOUBLE_EQ(pacer.host("h").rate, 1) << "no raise before kRaiseAfter good answers";
  send(pacer, clock, PaceSignal::kGood);
  const double step = (3 - 0.5) / 40;
  EXPECT_DOUBLE_EQ(pacer.host("h").rate, 1 + step);
  for (int i = 0; i < 2000; ++i) send(pacer, clock, PaceSignal::kGood);
  EXPECT_DOUBLE_EQ(pacer.host("h").rate, 3) << "never above the ceiling";
  EXPECT_EQ(pacer.host("h").throttled, 0u);
}

TEST(AdaptivePacer, HalvesOnAThrottleOnceAndRemembersACapBelowIt) {
  ManualClock clock;
  AdaptivePacer pacer({2, 0.1, 4, 1}, clock);
  for (int i = 0; i < 20; ++i) send(pacer, clock, PaceSignal::kGood);
  const double before = pacer.host("h").rate;
  // Two requests already on the wire when the first 429 comes back: both were sent at the old
  // rate, so only one cut happens.
  const TimePoint early = clock.now();
  pacer.on_answer("h", early, PaceSignal::kThrottled, kFast);
  const double after = pacer.host("h").rate;
  EXPECT_LE(after, before * 0.5 + 1e-9);
  EXPECT_NEAR(pacer.host("h").cap, before * 0.9, before * 0.1);
  pacer.on_answer("h", early, PaceSignal::kThrottlePage, kFast);
  EXPECT_DOUBLE_EQ(pacer.host("h").rate, after) << "a stale throttle cut again";
  const HostPacing p = pacer.host("h");
  EXPECT_EQ(p.throttled, 2u);
  EXPECT_EQ(p.throttle_pages, 1u);
  EXPECT_EQ(p.cuts, 1u);
  // Good answers raise it again, but only up to the cap.
  for (int i = 0; i < 90; ++i) send(pacer, clock, PaceSignal::kGood);
  EXPECT_LE(pacer.host("h").rate, pacer.host("h").cap + 1e-9);
}

TEST(AdaptivePacer, NeverBelowTheFloor) {
  ManualClock clock;
  AdaptivePacer pacer({1, 0.25, 2, 1}, clock);
  for (int i = 0; i < 20; ++i) send(pacer, clock, PaceSignal::kThrottled);
  EXPECT_DOUBLE_EQ(pacer.host("h").rate, 0.25);
  EXPECT_EQ(pacer.host("h").throttled, 20u);
}

TEST(AdaptivePacer, TheCapIsProbedAgainAfterManyGoodAnswers) {
  ManualClock clock;
  AdaptivePacer pacer({4, 0.1, 8, 1}, clock);
  send(pacer, clock, PaceSignal::kThrottled);
  const double cap = pacer.host("h").cap;
  for (int i = 0; i < 400; ++i) send(pacer, clock, PaceSignal::kGood);
  EXPECT_GT(pacer.host("h").cap, cap) << "a host that became more permissive is never found";
}

TEST(AdaptivePacer, RisingLatencySlowsDownAndStopsRaises) {
  ManualClock clock;
  AdaptivePacer pacer({1, 0.1, 2, 1}, clock);
  for (int i = 0; i < 10; ++i) send(pacer, clock, PaceSignal::kGood, 100ms);
  const double before = pacer.host("h").rate;
  for (int i = 0; i < 10; ++i) send(pacer, clock, PaceSignal::kGood, 5s);
  EXPECT_LT(pacer.host("h").rate, before);
  EXPECT_GE(pacer.host("h").cuts, 1u);
  EXPECT_EQ(pacer.host("h").throttled, 0u) << "latency is not a throttle";
}

TEST(AdaptivePacer, NeutralAnswersChangeNothing) {
  ManualClock clock;
  AdaptivePacer pacer({1, 0.1, 2, 1}, clock);
  for (int i = 0; i < 50; ++i) send(pacer, clock, PaceSignal::kNeutral);
  EXPECT_DOUBLE_EQ(pacer.host("h").rate, 1);
  EXPECT_EQ(pacer.host("h").answers, 50u);
}

TEST(AdaptivePacer, FixedPacingOnlyCounts) {
  ManualClock clock;
  AdaptivePacer pacer({5, 0, 0, 1}, clock);
  EXPECT_FALSE(pacer.options().adaptive());
  send(pacer, clock, PaceSignal::kThrottled);
  for (int i = 0; i < 50; ++i) send(pacer, clock, PaceSignal::kGood);
  EXPECT_DOUBLE_EQ(pacer.host("h").rate, 5);
  EXPECT_EQ(pacer.host("h").throttled, 1u);
}

TEST(AdaptivePacer, PacesRequestsAtTheRate) {
  ManualClock clock;
  AdaptivePacer pacer({0.5, 0.1, 2, 1}, clock);
  const TimePoint first = send(pacer, clock, PaceSignal::kNeutral);
  const TimePoint second = send(pacer, clock, PaceSignal::kNeutral);
  EXPECT_GE(second - first, 2s) << "one request every 2 s at 0.5/s";
  EXPECT_LE(second - first, 2s + 1ms);
}

TEST(ThrottlePage, RecognizesThePncpHtmlPageOnly) {
  EXPECT_TRUE(
      is_throttle_page("\n<!DOCTYPE html><html><head><title>Limite de Requisi\xc3\xa7\xc3\xb5"
                       "es Excedido"
                       "</title></head></html>"));
  EXPECT_TRUE(is_throttle_page("<html><body>LIMITE DE REQUISI&Ccedil;&Otilde;ES</body></html>"));
  EXPECT_TRUE(is_throttle_page("<h1>429 Too Many Requests</h1>"));
  EXPECT_FALSE(is_throttle_page("<html><title>502 Bad Gateway</title></html>"));
  EXPECT_FALSE(is_throttle_page(R"({"message": "Limite de Requisições Excedido"})"));
  EXPECT_FALSE(is_throttle_page(""));
}

}  // namespace
}  // namespace baliza::extract
