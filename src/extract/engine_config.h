// endpoints.yaml -> FetchEngine settings: concurrency, timeouts, retry, circuit breaker, rate
// limit and each endpoint's "no data" statuses. Pure mapping, no I/O.
#pragma once

#include "extract/fetch_engine.h"
#include "plan/endpoint_config.h"

namespace baliza::extract {

// FetchEngine settings from endpoints.yaml defaults (`concurrency` and `max_attempts` override
// them when > 0).
FetchEngineOptions engine_options(const plan::EndpointsConfig& config, int concurrency,
                                  int max_attempts);

}  // namespace baliza::extract
