#include "extract/retry_policy.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace baliza::extract {
namespace {

AttemptOutcome http(long status, std::size_t body_size = 10, BodyCheck body = BodyCheck::kValid) {
  AttemptOutcome o;
  o.http_status = status;
  o.body_size = body_size;
  o.body = body;
  return o;
}

AttemptOutcome transport(CURLcode code) {
  AttemptOutcome o;
  o.curl_code = code;
  o.curl_error = "boom";
  return o;
}

TEST(Classify, HttpStatuses) {
  EXPECT_EQ(classify(http(200)).kind, OutcomeClass::kSuccess);
  EXPECT_EQ(classify(http(204, 0, BodyCheck::kNotChecked)).kind, OutcomeClass::kEmpty);
  EXPECT_EQ(classify(http(200, 0, BodyCheck::kNotChecked)).kind, OutcomeClass::kEmpty);
  for (long s : {400L, 401L, 403L, 404L, 422L}) {
    EXPECT_EQ(classify(http(s)).kind, OutcomeClass::kPermanent) << s;
  }
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) {
    EXPECT_EQ(classify(http(s)).kind, OutcomeClass::kRetryable) << s;
  }
  EXPECT_EQ(classify(http(503)).reason, "HTTP 503");
}

TEST(Classify, EndpointSpecificEmptyStatus) {
  EXPECT_EQ(classify(http(404), {404}).kind, OutcomeClass::kEmpty);
  EXPECT_EQ(classify(http(404), {}).kind, OutcomeClass::kPermanent);
}

TEST(Classify, BadBodiesAreRetryable) {
  auto truncated = http(200, 100, BodyCheck::kTruncated);
  truncated.body_error = "cut";
  const auto c = classify(truncated);
  EXPECT_EQ(c.kind, OutcomeClass::kRetryable);
  EXPECT_NE(c.reason.find("truncated"), std::string::npos);
  EXPECT_EQ(classify(http(200, 100, BodyCheck::kInvalid)).kind, OutcomeClass::kRetryable);
}

TEST(Classify, TransportErrors) {
  for (CURLcode code : {CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR,
                        CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SEND_ERROR}) {
    EXPECT_EQ(classify(transport(code)).kind, OutcomeClass::kRetryable) << code;
  }
  EXPECT_EQ(classify(transport(CURLE_URL_MALFORMAT)).kind, OutcomeClass::kPermanent);
  EXPECT_EQ(classify(transport(CURLE_FILESIZE_EXCEEDED)).kind, OutcomeClass::kPermanent);
  EXPECT_NE(classify(transport(CURLE_OPERATION_TIMEDOUT)).reason.find("boom"), std::string::npos);
}

TEST(Backoff, FullJitterStaysUnderTheExponentialBound) {
  Backoff backoff({10, 100ms, 1s}, 42);
  for (int round = 0; round < 50; ++round) {
    for (int retry = 0; retry < 8; ++retry) {
      const Duration bound = std::min<Duration>(100ms * (1 << retry), 1s);
      const Duration d = backoff.delay(retry);
      EXPECT_GE(d, Duration::zero());
      EXPECT_LE(d, bound);
    }
  }
}

TEST(Backoff, SameSeedSameDelaysOtherSeedOtherDelays) {
  Backoff a({5, 100ms, 10s}, 7), b({5, 100ms, 10s}, 7), c({5, 100ms, 10s}, 8);
  std::vector<Duration> da, db, dc;
  for (int i = 0; i < 6; ++i) {
    da.push_back(a.delay(i));
    db.push_back(b.delay(i));
    dc.push_back(c.delay(i));
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(Backoff, RetryAfterIsAMinimumAndIsBounded) {
  Backoff backoff({5, 10ms, 20ms, 30s}, 1);
  EXPECT_GE(backoff.delay(0, 2s), 2s);
  EXPECT_EQ(backoff.delay(0, 1h), 30s);
  EXPECT_TRUE(backoff.can_retry(4));
  EXPECT_FALSE(backoff.can_retry(5));
}

TEST(RetryAfter, SecondsAndHttpDates) {
  EXPECT_EQ(parse_retry_after("120"), Duration(120s));
  EXPECT_EQ(parse_retry_after(" 0 "), Duration::zero());
  EXPECT_FALSE(parse_retry_after("soon"));
  EXPECT_FALSE(parse_retry_after(""));
  EXPECT_FALSE(parse_retry_after("-5"));
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 2015-10-21 07:28:00 UTC
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:29:30 GMT", now), Duration(90s));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Duration::zero());
}

}  // namespace
}  // namespace baliza::extract
