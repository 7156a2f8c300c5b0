// Helpers shared by the plan tests: a small valid endpoints.yaml, reading repo files, and
// capturing usage errors.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"

namespace baliza::plan::test {

// Valid defaults block; tests append an endpoints: list.
inline const char* const kDefaults = R"(base_url: http://127.0.0.1:1/api
defaults:
  concurrency: 2
  rate_limit: {requests_per_second: 5, burst: 5}
  retry: {max_attempts: 3, base_backoff_ms: 100, max_backoff_ms: 1000, on_statuses: [429, 503]}
  circuit_breaker: {failure_threshold: 5, open_seconds: 30, half_open_probes: 1}
  timeouts: {connect_seconds: 5, request_seconds: 30}
  claim_ttl_seconds: 300
  date_format: yyyyMMdd
  page_param: pagina
  page_size_param: tamanhoPagina
  page_size_limits: [10, 500]
  empty_statuses: [204]
)";

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::string shipped_endpoints_path() {
  return std::string(BALIZA_SOURCE_DIR) + "/projects/pncp/endpoints.yaml";
}

// "line:column" (1-based) where `needle` first starts in `text`, found by scanning the text.
inline std::string position_of(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return std::to_string(line) + ":" + std::to_string(at - line_start + 1);
}

// Runs fn, expects a baliza usage error and returns its message ("" and a failure otherwise).
template <typename Fn>
std::string usage_message(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected a usage error";
  return "";
}

}  // namespace baliza::plan::test
