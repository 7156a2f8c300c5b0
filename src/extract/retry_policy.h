// What to do with the outcome of one HTTP attempt, and how long to wait before the next one.
//
// classify() sorts an attempt into:
//   success    2xx with a complete JSON body
//   empty      204, a 2xx with an empty body (the PNCP answers some empty days so), or a
//              per-endpoint extra status such as 404 for /v1/instrumentoscobranca
//   permanent  400, 422 and every other 4xx except 408/429; a malformed URL; a response over
//              the size cap. Retrying cannot fix these.
//   retryable  408, 429, 5xx, timeouts, refused/reset connections and every other transport
//              error, and a 2xx whose JSON body is truncated or invalid
// Backoff: delay = uniform(0, min(cap, base * 2^retry)) ("full jitter"), raised to at least
// the server's Retry-After when it sent one. Deterministic for a given seed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "extract/clock.h"

namespace baliza::extract {

enum class OutcomeClass { kSuccess, kEmpty, kPermanent, kRetryable };
const char* outcome_class_name(OutcomeClass c);

// Whether the body of a 2xx answer was checked as JSON, and what was found.
enum class BodyCheck { kNotChecked, kValid, kTruncated, kInvalid };

struct AttemptOutcome {
  int curl_code = 0;  // CURLcode; 0 = the transfer completed
  std::string curl_error;
  long http_status = 0;
  std::size_t body_size = 0;
  BodyCheck body = BodyCheck::kNotChecked;
  std::string body_error;  // why the body check failed
};

struct Classification {
  OutcomeClass kind = OutcomeClass::kSuccess;
  std::string reason;  // human-readable: "HTTP 503", "timeout: ...", "truncated JSON: ..."
};

// `empty_statuses`: extra HTTP statuses that mean "no data" for this endpoint.
Classification classify(const AttemptOutcome& outcome,
                        const std::vector<long>& empty_statuses = {});

struct RetryOptions {
  int max_attempts = 5;  // attempts in total, the first included; 1 = never retry
  Duration base = std::chrono::milliseconds(500);
  Duration cap = std::chrono::seconds(30);
  Duration max_retry_after = std::chrono::minutes(10);  // bound on a server's Retry-After
};

// Not thread-safe: one instance per scheduling thread.
class Backoff {
 public:
  Backoff(RetryOptions options, std::uint64_t seed);

  // True if an item that has made `attempts_made` attempts may make another.
  bool can_retry(int attempts_made) const { return attempts_made < options_.max_attempts; }

  // Delay before retry number `retry` (0 for the first retry).
  Duration delay(int retry, std::optional<Duration> retry_after = std::nullopt);

  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
  std::mt19937_64 rng_;
};

// Parses a Retry-After header: delta-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015
// 07:28:00 GMT"), relative to `now`. A date in the past gives zero; garbage gives nullopt.
std::optional<Duration> parse_retry_after(
    std::string_view value,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace baliza::extract
