// ExtractionStore on a DuckDB file, through the extraction's single Writer (writer.h).
//
// Pages are buffered per writer batch and bulk-appended (raw.* rows by raw_tables.h, the one
// encoder of those tables; result rows by appender), so each commit carries many pages. Other
// writes are statements queued on the writer in the order they were made; a write that must
// see buffered pages (a shift, a resolution) flushes the buffer first.
//
// Lifetime: the Writer must outlive the store. Build the DuckDbClaimStore of the same run on
// the same Writer: it then applies finish() after the pages written before it.
// Threads: any thread may call it (the Writer serializes); reads and the run log block on the
// writer thread. Refused writes are counted through the Writer's error handler, which this
// store installs.
#pragma once

#include <atomic>
#include <memory>

#include "extract/extraction_store.h"
#include "extract/writer.h"

namespace baliza::extract {

class DuckDbExtractionStore final : public ExtractionStore {
 public:
  explicit DuckDbExtractionStore(Writer& writer);

  std::vector<std::pair<std::string, std::string>> schema_versions() override;
  std::map<std::string, std::vector<StoredPage>> current_pages(
      const std::vector<std::string>& task_ids) override;
  void run_started(const RunStartWrite& run) override;
  void run_finished(const RunEndWrite& run) override;
  void put_page(PageWrite page) override;
  void put_failure(FailureWrite failure) override;
  void put_shift(ShiftWrite shift) override;
  void supersede_other_totals(const std::string& task_id,
                              std::optional<std::int64_t> total) override;
  void supersede_task(const std::string& task_id) override;
  void resolve_failures(const std::string& task_id) override;
  void put_circuit_event(CircuitEventWrite event) override;
  void put_completeness_check(CompletenessCheckWrite check) override;
  void put_schema_version(const SchemaVersion& version, const std::string& request_url) override;
  void flush() override;
  std::uint64_t refused_writes() const override;

 private:
  class PageBuffer;
  Writer& writer_;
  std::shared_ptr<PageBuffer> pages_;
  std::shared_ptr<std::atomic<std::uint64_t>> refused_;
};

}  // namespace baliza::extract
