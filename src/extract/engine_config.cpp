#include "extract/engine_config.h"

#include <algorithm>

namespace baliza::extract {

FetchEngineOptions engine_options(const plan::EndpointsConfig& config, int concurrency,
                                  int max_attempts) {
  const plan::ExtractDefaults& d = config.defaults;
  FetchEngineOptions o;
  o.http.max_in_flight = concurrency > 0 ? concurrency : std::max(1, d.concurrency);
  o.http.connect_timeout = std::chrono::seconds(std::max(1, d.timeouts.connect_seconds));
  o.http.total_timeout = std::chrono::seconds(std::max(1, d.timeouts.request_seconds));
  o.retry.max_attempts = max_attempts > 0 ? max_attempts : std::max(1, d.retry.max_attempts);
  o.retry.base = std::chrono::milliseconds(d.retry.base_backoff_ms);
  o.retry.cap =
      std::chrono::milliseconds(std::max(d.retry.base_backoff_ms, d.retry.max_backoff_ms));
  o.circuit.consecutive_failures = d.circuit_breaker.failure_threshold;
  o.circuit.failure_ratio = 0;  // endpoints.yaml states the consecutive-failure rule only
  o.circuit.open_for = std::chrono::seconds(d.circuit_breaker.open_seconds);
  o.circuit.min_open_for = std::chrono::seconds(1);  // doubling up to open_for
  o.circuit.half_open_probes = std::max(1, d.circuit_breaker.half_open_probes);
  o.rate.requests_per_second = d.rate_limit.requests_per_second;
  o.rate.burst = std::max(1, d.rate_limit.burst);
  o.pacing = {d.rate_limit.requests_per_second, d.rate_limit.floor, d.rate_limit.ceiling,
              static_cast<double>(o.rate.burst)};
  for (const auto& e : config.endpoints) {
    EndpointPolicy policy;
    for (int s : e.empty_statuses) policy.empty_statuses.push_back(s);
    policy.array_body = e.array_body;
    o.endpoints[e.name] = policy;
  }
  return o;
}

}  // namespace baliza::extract
