// Fencing of a worker's late writes by claim token.
//
// A worker stopped (SIGSTOP, a long GC-like pause, a network partition) past its claim's
// expiry loses the task: the reaper marks the claim `expired` and another worker re-claims
// the task. When the first worker wakes up, everything it still writes for that task must not
// land, or it would overwrite or duplicate the re-claimer's pages (its supersede marks would
// hide the re-claimer's results; two workers inserting the same page at once could both make
// it current).
//
// ClaimFence remembers, in one worker process, which claim (claim_id, the token the claim
// store handed out) each task is being worked under. Every task-scoped write captures that
// claim when it is queued and, in the write's own transaction, checks it with
// still_active(): the claim row is share-locked (SELECT ... FOR SHARE) and must be `active`
// and not past expires_at on the server's clock. The reaper takes the same row FOR UPDATE
// before it can expire it, so a write either commits while the claim holds (before any
// re-claim) or is dropped; writes of one task are therefore serialised claim by claim.
// A dropped write is counted (fenced()) and logged once per claim; it is not an error: the
// task belongs to its next claimer, which redoes what is missing.
//
// Threads: hold/release/claim_of from any thread (one mutex). still_active runs on the
// writer's connection inside its transaction.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace baliza::coord {

class PgConnection;

class ClaimFence {
 public:
  // The task is being worked under `claim_id` from now on.
  void hold(const std::string& task_id, const std::string& claim_id);
  // The task's claim ended (only forgets `claim_id`, not a later claim of the same task).
  void release(const std::string& task_id, const std::string& claim_id);
  // The claim a write for `task_id` is made under; nullopt when the task is not claimed here.
  std::optional<std::string> claim_of(const std::string& task_id) const;

  // In the caller's transaction: true when the claim is still active (its row stays locked
  // against the reaper until the transaction ends); false (and counted) when it expired or
  // ended: the write must be dropped.
  bool still_active(PgConnection& c, const std::string& task_id, const std::string& claim_id);
  std::uint64_t fenced() const { return fenced_.load(); }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> claims_;  // task_id -> claim_id
  std::set<std::string> reported_;             // claims whose dropped writes were logged
  std::atomic<std::uint64_t> fenced_{0};
};

}  // namespace baliza::coord
