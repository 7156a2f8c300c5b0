#include "extract/retry_policy.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "extract/curl_api.h"

namespace baliza::extract {
namespace {

bool is_permanent_transport_error(int code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_FILESIZE_EXCEEDED:  // the client reports an over-cap body with this code
    case CURLE_TOO_MANY_REDIRECTS:
      return true;
    default:
      return false;
  }
}

Classification classify_status(const AttemptOutcome& o, const std::vector<long>& empty_statuses) {
  const long s = o.http_status;
  const std::string status = fmt::format("HTTP {}", s);
  if (std::find(empty_statuses.begin(), empty_statuses.end(), s) != empty_statuses.end()) {
    return {OutcomeClass::kEmpty, status + " (no data for this endpoint)"};
  }
  if (s == 204) return {OutcomeClass::kEmpty, status};
  if (s >= 200 && s < 300) {
    if (o.body_size == 0) return {OutcomeClass::kEmpty, status + " with an empty body"};
    if (o.body == BodyCheck::kTruncated) {
      return {OutcomeClass::kRetryable, "truncated JSON body: " + o.body_error};
    }
    if (o.body == BodyCheck::kInvalid) {
      return {OutcomeClass::kRetryable, "invalid JSON body: " + o.body_error};
    }
    return {OutcomeClass::kSuccess, status};
  }
  if (s == 408 || s == 429 || s >= 500) return {OutcomeClass::kRetryable, status};
  return {OutcomeClass::kPermanent, status};  // 1xx/3xx left over, 400, 422, other 4xx
}

}  // namespace

const char* outcome_class_name(OutcomeClass c) {
  switch (c) {
    case OutcomeClass::kSuccess:
      return "success";
    case OutcomeClass::kEmpty:
      return "empty";
    case OutcomeClass::kPermanent:
      return "permanent";
    case OutcomeClass::kRetryable:
      return "retryable";
  }
  return "unknown";
}

Classification classify(const AttemptOutcome& o, const std::vector<long>& empty_statuses) {
  if (o.curl_code != CURLE_OK) {
    const std::string reason =
        fmt::format("{} (curl {}: {})", o.curl_error.empty() ? "transfer failed" : o.curl_error,
                    o.curl_code, curl_api().curl_easy_strerror(static_cast<CURLcode>(o.curl_code)));
    return {is_permanent_transport_error(o.curl_code) ? OutcomeClass::kPermanent
                                                      : OutcomeClass::kRetryable,
            reason};
  }
  return classify_status(o, empty_statuses);
}

Backoff::Backoff(RetryOptions options, std::uint64_t seed) : options_(options), rng_(seed) {}

Duration Backoff::delay(int retry, std::optional<Duration> retry_after) {
  // base * 2^retry, saturating at cap without overflowing.
  Duration bound = options_.base;
  for (int i = 0; i < retry && bound < options_.cap; ++i) bound *= 2;
  bound = std::min(bound, options_.cap);
  std::uniform_int_distribution<Duration::rep> pick(0, std::max<Duration::rep>(0, bound.count()));
  Duration d(pick(rng_));
  if (retry_after) d = std::max(d, std::min(*retry_after, options_.max_retry_after));
  return d;
}

std::optional<Duration> parse_retry_after(std::string_view value,
                                          std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::duration_cast<Duration>(std::chrono::seconds(seconds));
  }
  const std::string text(value);
  const time_t when =
      curl_api().curl_getdate(text.c_str(), nullptr);  // RFC 1123/850 and asctime forms
  if (when == -1) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(when);
  if (at <= now) return Duration::zero();
  return std::chrono::duration_cast<Duration>(at - now);
}

}  // namespace baliza::extract
