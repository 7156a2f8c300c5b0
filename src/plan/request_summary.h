// Per endpoint: the requests a plan needs and the hours they take at the configured pace.
// `baliza dry-run` prints it; `baliza run` / `baliza demo` print it when they start.
//
// Requests of a task come from volume_windows.h's estimates: exact where the window's records
// were observed, estimated from records per day otherwise, and "at least 1" for tasks with no
// history (the real count is known only once page 1 answers). Done tasks need none (1 when
// rechecked). Retries, short pages asked again and data shifts are not in the figure.
// Hours: the requests of each host at its rate (endpoints.yaml's requests_per_second, the
// starting pace of the adaptive pacer, or a fixed --rate); hosts run in parallel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plan/endpoint_config.h"
#include "plan/volume_windows.h"

namespace baliza::plan {

struct EndpointRequests {
  std::string endpoint;
  std::string host;  // scheme://host[:port]
  std::int64_t tasks = 0, done = 0;
  std::int64_t exact_tasks = 0, estimated_tasks = 0, unknown_tasks = 0;  // of those to fetch
  double exact_requests = 0, estimated_requests = 0, unknown_requests = 0;
  // SQL-planned endpoints (plan/sql_requests.h): the figure leaves out what is not known yet
  // (shown ">="), and `note` says what and why.
  bool lower_bound = false;
  std::string note;
  double requests() const { return exact_requests + estimated_requests + unknown_requests; }
};

struct RequestSummary {
  double requests_per_second = 0;
  std::vector<EndpointRequests> endpoints;  // in plan order
  double requests() const;
  // Seconds at the pace, hosts in parallel.
  double seconds() const;
};

// requests_per_second > 0 replaces the configured pace (as --rate does).
RequestSummary summarize_requests(const EndpointsConfig& config, const VolumePlan& plan,
                                  double requests_per_second = 0);

std::string describe_requests(const RequestSummary& summary);

// scheme://host[:port] of a base URL (requests to one host share its pace).
std::string request_host(const std::string& base_url);

}  // namespace baliza::plan
