// ClaimStore on a DuckDB file: claims in planning.task_plan / runtime.task_claims, run on the
// extraction's single Writer (writer.h). finish() is buffered per writer batch and applied with
// set-based statements; it is ordered after every write queued on the same Writer before it
// (so build the run's DuckDbExtractionStore on the same Writer). The Writer must outlive it.
#pragma once

#include <memory>
#include <string>

#include "extract/claim_store.h"
#include "extract/writer.h"

namespace baliza::extract {

class DuckDbClaimStore final : public ClaimStore {
 public:
  explicit DuckDbClaimStore(Writer& writer);

  int start_worker(const std::string& worker_id) override;
  std::vector<ClaimedTask> claim(const std::string& worker_id, int n, std::chrono::seconds ttl,
                                 const ClaimScope& scope) override;
  void renew(const std::string& worker_id, std::chrono::seconds ttl) override;
  int reap_expired() override;
  void finish(const ClaimedTask& task, TaskEnd end, const std::string& detail,
              const std::string& run_id) override;
  std::int64_t count_pending(const ClaimScope& scope) override;

 private:
  class FinishBuffer;
  Writer& writer_;
  std::shared_ptr<FinishBuffer> finishes_;
};

// SQL condition on planning.task_plan (alias t) for a scope.
std::string claim_scope_sql(const ClaimScope& scope);

}  // namespace baliza::extract
