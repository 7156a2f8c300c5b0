// Task claims: which worker is extracting which task, until when.
//
// A claim moves a task from 'pending' to 'claimed' for one worker, with an expiry. Claiming is
// atomic (no task is ever claimed twice at once); a claim that expires (its worker died or
// hung) is reaped on the next claim() and the task is claimable again. A worker renews its
// claims while it works, ends each one with the task's final status, and releases the ones it
// did not finish when it stops early.
//
// The extractor only sees this interface (and ExtractionStore, extraction_store.h, for the rest
// of its writes); nothing here names a database type. DuckDbClaimStore (duckdb_claim_store.h)
// implements it on the extraction's single writer connection; a PostgreSQL store (many
// machines) implements claim() with UPDATE ... WHERE task_id IN (SELECT ... FOR UPDATE SKIP
// LOCKED) without touching the extractor.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace baliza::extract {

// Which pending tasks a worker may claim.
struct ClaimScope {
  std::string first_date;  // ISO; tasks whose window intersects [first_date, last_date]
  std::string last_date;
  std::vector<std::string> endpoints;  // empty = any
  std::vector<std::string> task_ids;   // empty = any
};

struct ClaimedTask {
  std::string claim_id;
  std::string task_id;
  std::string endpoint;
  std::string data_date;  // ISO
  std::optional<int> modalidade;
  std::string params;  // canonical JSON of the query parameters
  int attempts = 0;    // claims of this task so far, this one included
};

// How a claimed task ended.
enum class TaskEnd {
  kDone,      // every page stored (or the API said there is nothing)
  kFailed,    // nothing stored: the first page failed
  kPartial,   // some pages stored, some failed
  kReleased,  // not finished (interrupted): back to pending, stored pages are kept
};
const char* task_end_status(TaskEnd end);  // "done", "failed", "partial", "pending"

class ClaimStore {
 public:
  virtual ~ClaimStore() = default;

  // Starts a worker. Stores that can tell which other workers are certainly dead (a DuckDB
  // file has one writer process, so every other worker's claims are orphans) release their
  // claims here. Returns how many claims were released.
  virtual int start_worker(const std::string& worker_id) = 0;

  // Renews the worker's active claims, reaps expired ones (of any worker) and claims up to
  // `n` pending tasks of `scope`, in one transaction. Empty when nothing is left to claim.
  virtual std::vector<ClaimedTask> claim(const std::string& worker_id, int n,
                                         std::chrono::seconds ttl, const ClaimScope& scope) = 0;

  // Extends the expiry of the worker's active claims to now + ttl.
  virtual void renew(const std::string& worker_id, std::chrono::seconds ttl) = 0;

  // Reaps expired claims (of any worker); returns how many.
  virtual int reap_expired() = 0;

  // Ends a claim. May be asynchronous (queued behind the task's page writes); durable once
  // the store is flushed. `detail` is kept as the task's last error when it did not succeed.
  virtual void finish(const ClaimedTask& task, TaskEnd end, const std::string& detail,
                      const std::string& run_id) = 0;

  // Pending tasks of the scope that nobody holds (for progress and ETA).
  virtual std::int64_t count_pending(const ClaimScope& scope) = 0;
};

}  // namespace baliza::extract
