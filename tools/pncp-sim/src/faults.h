// Decides which configured faults hit a request. Decisions depend only on the seed, the
// fault's position in Options::faults, the request target and how many times that exact
// target was requested before, so a retried URL sees a reproducible sequence of faults.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "pncp_sim/options.h"

namespace pncp_sim::detail {

struct FaultDecision {
  int status = 0;          // answer at once with this status (0 = no)
  int retry_after_s = -1;  // with status 429
  bool reset = false;      // drop the connection without a response
  int delay_ms = 0;        // sleep before answering
  bool truncate = false;
  bool cut_json = false;
  int extra_records = 0;       // data shift already triggered for this query (< 0: removed)
  int short_drop = -1;         // records to cut from a 200 page's data (0 = 60%); -1 = none
  bool throttle_html = false;  // answer 200 with the HTML throttle page
  bool past_end_400 = false;   // a page past the last answers 400 "Página N inexistente"
  int count_offset = 0;        // added to a count body (a bare integer); 0 = none
  bool garbage = false;        // a 200 body replaced by text that is not JSON
};

class FaultPlan {
 public:
  FaultPlan(uint64_t seed, std::vector<FaultConfig> faults);

  // `client`: the caller's address (per-client throttling).
  FaultDecision decide(const std::string& path, const std::string& target,
                       const std::string& query_key, const std::string& client = "");
  // The data shift that applies to a query now (what decide() would add), without counting a
  // request.
  int extra_records(const std::string& path, const std::string& query_key);
  // Page 1 of a query was served: data-shift faults for its path now apply to the query.
  void first_page_served(const std::string& path, const std::string& query_key);
  void reset();

 private:
  bool applies(const FaultConfig& f, const std::string& path) const;
  static bool matches(const FaultConfig& f, const std::string& target);
  bool hit(size_t fault_index, const std::string& target, uint64_t attempt) const;

  uint64_t seed_;
  std::vector<FaultConfig> faults_;
  std::mutex mutex_;
  std::map<std::string, uint64_t> attempts_;
  std::set<std::string> shifted_;
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::pair<size_t, std::string>, Bucket> buckets_;  // (fault, client)
};

}  // namespace pncp_sim::detail
