// Request statistics kept by a running simulator, for tests of retries, concurrency and rate
// limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pncp_sim {

struct RequestLog {
  std::string path;    // below /api/consulta, without the query ("/v1/contratos"); below /api
                       // for the maintenance API ("/pncp/v1/orgaos/.../itens")
  std::string target;  // the full request target as received, with the query
  int status = 0;      // status sent; 0 when the connection was reset without a response
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point finished;
};

struct Stats {
  uint64_t total_requests = 0;
  std::map<std::string, uint64_t> requests_per_path;
  std::map<int, uint64_t> responses_per_status;
  int max_in_flight = 0;             // most requests being handled at the same time
  std::vector<RequestLog> requests;  // in arrival order
};

}  // namespace pncp_sim
