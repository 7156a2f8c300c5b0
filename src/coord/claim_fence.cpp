#include "coord/claim_fence.h"

#include "coord/pg_connection.h"
#include "core/log.h"

namespace baliza::coord {

void ClaimFence::hold(const std::string& task_id, const std::string& claim_id) {
  std::lock_guard lock(mutex_);
  claims_[task_id] = claim_id;
}

void ClaimFence::release(const std::string& task_id, const std::string& claim_id) {
  std::lock_guard lock(mutex_);
  auto it = claims_.find(task_id);
  if (it != claims_.end() && it->second == claim_id) claims_.erase(it);
}

std::optional<std::string> ClaimFence::claim_of(const std::string& task_id) const {
  std::lock_guard lock(mutex_);
  auto it = claims_.find(task_id);
  if (it == claims_.end()) return std::nullopt;
  return it->second;
}

bool ClaimFence::still_active(PgConnection& c, const std::string& task_id,
                              const std::string& claim_id) {
  const PgResult r = c.exec(
      "SELECT 1 FROM baliza.task_claims WHERE claim_id = $1 AND status = 'active' AND "
      "expires_at > clock_timestamp() FOR SHARE",
      {claim_id});
  if (r.rows() > 0) return true;
  ++fenced_;
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = reported_.insert(claim_id).second;
  }
  if (first) {
    log_warn(
        "claim expired while this worker still worked on the task: its late results are "
        "dropped (the task belongs to its next claimer)",
        {{"task", task_id}, {"claim", claim_id}});
  }
  return false;
}

}  // namespace baliza::coord
