// The fetch engine: turns a stream of page requests into final outcomes, politely.
//
// Each accepted request ends in exactly one PageOutcome passed to the sink:
//   success    2xx with a complete JSON page (its envelope parsed)
//   empty      204, an empty 2xx body, or an endpoint's extra "no data" status
//   failed     a permanent failure (400, 422, other 4xx, body over the size cap)
//   exhausted  retryable failures until RetryOptions::max_attempts ran out
//   abandoned  cancelled before it could finish (see cancel())
// On the way the engine keeps at most HttpClientOptions::max_in_flight requests on the wire,
// takes a token from the per-host adaptive pacer (adaptive_pacer.h) before each attempt and
// tells it how each answer went, waits out a backoff
// between attempts without holding a slot, and keeps requests of an endpoint whose circuit
// is open parked while the other endpoints go on (endpoints are served round-robin).
// Throttling (429, or an HTML throttle page with status 200, throttle_page.h) is retried
// without using up the page's attempts (up to kMaxThrottledAttempts) and only slows the pace;
// so are failures during an outage, while the endpoint's circuit is open (kMaxOutageAttempts).
// The circuit of an endpoint counts transport errors and 502/503/504 of first attempts, and
// every failure to connect at all, as failures (circuit_breaker.h); a 500 or a bad body is the
// page's problem and counts for nothing; any other answer, even a 400, counts as a success: the
// endpoint is up and answering. A host that never answered and cannot be reached is an environment
// error (see environment_error()), not something to wait for.
//
// Threads: one HTTP thread (HttpClient) and one scheduling thread, which also calls the sink.
// The sink may call submit() (page 1 reveals totalPaginas, then the rest fan out) and
// cancel(), but not wait_idle(). It should be quick: it runs on the scheduling thread. No
// database work happens here: the sink hands outcomes to whoever stores them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "extract/adaptive_pacer.h"
#include "extract/circuit_breaker.h"
#include "extract/clock.h"
#include "extract/http_client.h"
#include "extract/page_envelope.h"
#include "extract/rate_limiter.h"
#include "extract/retry_policy.h"

namespace baliza::extract {

struct PageRequest {
  std::string endpoint;  // the circuit breaker and the endpoint policy are per endpoint name
  std::string url;
  std::uint64_t tag = 0;  // the caller's id, echoed in the outcome
  std::vector<std::string> headers;
  bool count = false;  // the answer is a count (parse_count_body), not a page
};

enum class FetchStatus { kSuccess, kEmpty, kFailed, kExhausted, kAbandoned };
const char* fetch_status_name(FetchStatus s);

struct PageOutcome {
  std::uint64_t tag = 0;
  std::string endpoint;
  std::string url;
  FetchStatus status = FetchStatus::kAbandoned;
  long http_status = 0;  // of the last attempt; 0 if none got an HTTP answer
  std::string body;      // of the last attempt (decoded)
  std::string etag;
  std::string content_type;
  int attempts = 0;                      // attempts put on the wire
  int throttled = 0;                     // of which answered by throttling (429, HTML page)
  std::string last_error;                // why the last attempt was not a success; empty on success
  Duration elapsed{};                    // from acceptance to this outcome, waits included
  std::uint64_t bytes_downloaded = 0;    // over all attempts, on the wire
  std::optional<PageEnvelope> envelope;  // set on success
  bool count = false;                    // PageRequest::count, echoed
};

struct EndpointPolicy {
  std::vector<long> empty_statuses;  // e.g. {404} for /v1/instrumentoscobranca
  bool array_body = false;           // pages are bare JSON arrays (endpoints.yaml body: array)
};

struct FetchEngineOptions {
  HttpClientOptions http;  // http.max_in_flight is the engine's concurrency limit
  RetryOptions retry;
  std::optional<std::uint64_t> retry_seed;  // fixed for reproducible tests; random otherwise
  CircuitOptions circuit;
  RateLimit rate;        // fixed pacing per host, used when pacing.start is 0
  PacingOptions pacing;  // adaptive pacing per host (start > 0 overrides `rate`)
  std::map<std::string, EndpointPolicy> endpoints;
  const Clock* clock = nullptr;  // the steady clock when null
};

// A snapshot for progress displays.
struct FetchCounters {
  std::uint64_t queued = 0;       // accepted, waiting for a slot (rate limit, circuit included)
  std::uint64_t backing_off = 0;  // waiting for a retry
  std::uint64_t in_flight = 0;
  std::uint64_t done = 0;  // final outcomes delivered
  std::uint64_t succeeded = 0;
  std::uint64_t empty = 0;
  std::uint64_t failed = 0;  // failed + exhausted
  std::uint64_t abandoned = 0;
  std::uint64_t retries = 0;
  std::uint64_t throttled = 0;  // answers that were throttling (429 or HTML throttle page)
  std::uint64_t bytes = 0;
  int open_circuits = 0;
};

enum class CancelMode {
  kFinishInFlight,   // requests on the wire complete (without retries); the rest is abandoned
  kAbandonInFlight,  // everything not finished is abandoned now
};

class FetchEngine {
 public:
  using Sink = std::function<void(PageOutcome)>;

  FetchEngine(FetchEngineOptions options, Sink sink);
  ~FetchEngine();  // cancel(kAbandonInFlight), then joins its threads
  FetchEngine(const FetchEngine&) = delete;
  FetchEngine& operator=(const FetchEngine&) = delete;

  // Accepts a request. Thread-safe, also from the sink. False (and no outcome) after cancel().
  bool submit(PageRequest request);

  // Blocks until every accepted request has reached the sink. If the sink threw, the engine
  // cancelled itself and the first exception is rethrown here.
  void wait_idle();

  // Stops accepting requests and winds down as `mode` says; abandoned requests still reach
  // the sink (status kAbandoned). Returns at once; wait_idle() waits for the wind-down.
  void cancel(CancelMode mode);

  FetchCounters counters() const;
  // The pace of each host so far (rate now, throttles, cuts).
  std::vector<HostPacing> pacing() const;
  CircuitBreakers& circuits();

  // Set when a host that never answered could not be reached (DNS failure, connection refused
  // or unreachable) kUnreachableAfter times: the engine then cancels itself
  // (kAbandonInFlight). The message names the host, curl's error and what to do.
  std::optional<std::string> environment_error() const;

  // A page answered by throttling is retried up to this many times on top of max_attempts.
  static constexpr int kMaxThrottledAttempts = 30;
  // A page's attempts that failed while its endpoint's circuit was open or half-open (an
  // outage: the network dropped, the API is down) do not use up its max_attempts either, up to
  // this many; the circuit spaces them out (up to circuit open_for apart).
  static constexpr int kMaxOutageAttempts = 100;
  static constexpr int kUnreachableAfter = 3;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace baliza::extract
