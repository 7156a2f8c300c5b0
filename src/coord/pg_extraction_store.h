// ExtractionStore (extract/extraction_store.h) on the coordinator's PostgreSQL: what a
// `baliza worker` writes while it extracts, shared by every worker of the plan.
//
// Pages land content-addressed (sha256 primary key, zstd as prepared by the worker) in
// baliza.payloads, their requests in baliza.api_requests and their results in
// baliza.task_results, with ids made here so that a batch applied twice (pg_writer.h) adds
// nothing twice. A page of a task that already has a current result for that page number (a
// worker whose claim expired while it still worked) is kept as superseded, never as a second
// current page. "Supersede" operations only touch results this worker put before the
// operation (put_seq), so replaying them cannot supersede a later page.
//
// Every task-scoped write (page, failure, shift, supersede, resolve, completeness check) is
// fenced by the claim the task is worked under (claim_fence.h): a write made after this
// worker's claim expired is dropped, never landing over the re-claimer's work.
//
// Threads: as ExtractionStore. Lifetime: owns its PgWriter; finish() of PgClaimStore goes
// through writer() so that a task ends after its pages are durable.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "coord/claim_fence.h"
#include "coord/pg_writer.h"
#include "extract/extraction_store.h"

namespace baliza::coord {

class PgExtractionStore final : public extract::ExtractionStore {
 public:
  PgExtractionStore(const std::string& url, std::string worker_id, std::chrono::seconds patience);

  std::vector<std::pair<std::string, std::string>> schema_versions() override;
  std::map<std::string, std::vector<extract::StoredPage>> current_pages(
      const std::vector<std::string>& task_ids) override;
  void run_started(const extract::RunStartWrite& run) override;
  void run_finished(const extract::RunEndWrite& run) override;
  void put_page(extract::PageWrite page) override;
  void put_failure(extract::FailureWrite failure) override;
  void put_shift(extract::ShiftWrite shift) override;
  void supersede_other_totals(const std::string& task_id,
                              std::optional<std::int64_t> total) override;
  void supersede_task(const std::string& task_id) override;
  void resolve_failures(const std::string& task_id) override;
  void put_circuit_event(extract::CircuitEventWrite event) override;
  void put_completeness_check(extract::CompletenessCheckWrite check) override;
  void put_schema_version(const extract::SchemaVersion& version,
                          const std::string& request_url) override;
  void flush() override;
  std::uint64_t refused_writes() const override;

  PgWriter& writer() { return writer_; }
  ClaimFence& fence() { return fence_; }
  const std::string& worker_id() const { return worker_id_; }

 private:
  // Supersedes current results of `task_id` this worker put before now (and any other
  // worker's), optionally only those whose total differs from `total`.
  void supersede(const std::string& task_id, bool only_other_totals,
                 std::optional<std::int64_t> total);

  // The claim `task_id` is worked under now, to check in the write's transaction.
  std::optional<std::string> claim_for(const std::string& task_id) const {
    return fence_.claim_of(task_id);
  }
  // In a write's transaction: false when the write must be dropped (its claim ended).
  bool admitted(PgConnection& c, const std::string& task_id,
                const std::optional<std::string>& claim) {
    return !claim || fence_.still_active(c, task_id, *claim);
  }

  ClaimFence fence_;
  PgWriter writer_;
  std::string worker_id_;
  std::atomic<std::int64_t> seq_{0};
};

}  // namespace baliza::coord
