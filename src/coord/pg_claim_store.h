// ClaimStore (extract/claim_store.h) on the coordinator's PostgreSQL: any number of workers on
// any number of machines claim tasks of one plan.
//
// claim() renews the worker's claims, reaps expired ones (of any worker: their tasks go back
// to pending) and takes up to n pending tasks with SELECT ... FOR UPDATE SKIP LOCKED, in one
// transaction on the server's clock, so no task is ever claimed by two workers at once. Claims
// are history: a claim row is never deleted, it ends as done/failed/partial/released/expired
// with ended_at, so "claimed twice at once" can be checked from baliza.task_claims.
// finish() ends the claim only while it is still active and not past its expiry (a claim
// that expired or was reaped meanwhile changes
// nothing: the task belongs to its next claimer) and is queued on the extraction store's
// writer, after the task's pages.
//
// With a ClaimFence (claim_fence.h), claim() registers each claim as the task's fence token
// and finish() forgets it, so the extraction store drops writes made after a claim expired.
//
// Threads: claim/renew/reap/count run on the caller's thread on the store's own connection
// (one caller at a time: the extractor's loop). Connection losses are retried for `patience`.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "coord/pg_connection.h"
#include "extract/claim_store.h"

namespace baliza::coord {

class PgWriter;
class ClaimFence;

class PgClaimStore final : public extract::ClaimStore {
 public:
  PgClaimStore(const std::string& url, PgWriter& writer, std::chrono::seconds patience,
               ClaimFence* fence = nullptr);

  int start_worker(const std::string& worker_id) override;
  std::vector<extract::ClaimedTask> claim(const std::string& worker_id, int n,
                                          std::chrono::seconds ttl,
                                          const extract::ClaimScope& scope) override;
  void renew(const std::string& worker_id, std::chrono::seconds ttl) override;
  int reap_expired() override;
  void finish(const extract::ClaimedTask& task, extract::TaskEnd end, const std::string& detail,
              const std::string& run_id) override;
  std::int64_t count_pending(const extract::ClaimScope& scope) override;

  // Tasks of the scope claimed by some worker right now, and the earliest expiry among them in
  // seconds from now (0 when none).
  std::pair<std::int64_t, double> claimed_elsewhere(const extract::ClaimScope& scope);
  // Marks the worker stopped (kept in baliza.workers for the record).
  void stop_worker(const std::string& worker_id);

 private:
  void with_conn(const std::function<void(PgConnection&)>& unit);

  std::string url_;
  PgWriter& writer_;
  std::chrono::seconds patience_;
  ClaimFence* fence_;
  std::unique_ptr<PgConnection> conn_;
};

// SQL condition over baliza.task_plan (alias t) for a scope; parameters are appended to
// `params` and referenced by number.
std::string pg_scope_sql(const extract::ClaimScope& scope, std::vector<PgParam>& params);

}  // namespace baliza::coord
