#include "extract/duckdb_extraction_store.h"

#include <map>
#include <utility>

#include "core/clock.h"
#include "core/log.h"
#include "core/zstd_codec.h"
#include "extract/page_envelope.h"
#include "extract/raw_tables.h"

namespace baliza::extract {
namespace {

// The record hashes of a stored body (an envelope page or a bare array); empty when it cannot
// be read back (then the page is not compared for repeated records).
std::vector<std::uint64_t> stored_record_hashes(const std::string& compressed) {
  try {
    return record_hashes_of(zstd_decompress(compressed));
  } catch (const std::exception&) {  // a body that does not decompress: not compared
  }
  return {};
}

}  // namespace

// Pages waiting for the batch's commit, on the writer thread only: raw rows through the one
// encoder (raw_tables.h), result rows through one appender per batch.
class DuckDbExtractionStore::PageBuffer final : public BatchBuffer {
 public:
  // Shared, not moved: a replayed item adds the same page again.
  void add(std::shared_ptr<const PageWrite> page) { pages_.push_back(std::move(page)); }

  void flush(Connection& conn) override {
    if (pages_.empty()) return;
    std::vector<std::shared_ptr<const PageWrite>> pages;
    pages.swap(pages_);
    std::vector<RawRow> raw;
    raw.reserve(pages.size());
    for (const auto& p : pages) raw.push_back({&p->request, p->has_body ? &p->payload : nullptr});
    // A replacing page (PageWrite::replaces_current) supersedes the current row of its page:
    // the stored one (UPDATE below) or one still in this batch (appended superseded).
    std::vector<bool> replaced(pages.size(), false);
    std::map<std::pair<std::string, std::int64_t>, std::size_t> current_in_batch;
    for (std::size_t i = 0; i < pages.size(); ++i) {
      const PageWrite& p = *pages[i];
      if (!p.result_row || p.superseded) continue;
      const std::pair<std::string, std::int64_t> key{p.request.task_id, p.request.page.value_or(0)};
      const auto it = current_in_batch.find(key);
      if (p.replaces_current && it != current_in_batch.end()) replaced[it->second] = true;
      current_in_batch[key] = i;
    }
    for (const auto& p : pages) {
      if (!p->replaces_current || !p->result_row || p->superseded) continue;
      conn.prepare(
              "UPDATE runtime.task_results SET superseded_at = $1::TIMESTAMP WHERE task_id = $2 "
              "AND page_number = $3 AND superseded_at IS NULL")
          .bind(1, p->request.collected_at)
          .bind(2, p->request.task_id)
          .bind(3, static_cast<int64_t>(p->request.page.value_or(0)))
          .execute();
    }
    const std::vector<RawRowWritten> written = append_raw_rows(conn, raw);
    Appender results = conn.appender("runtime", "task_results");
    for (size_t i = 0; i < pages.size(); ++i) {
      const PageWrite& p = *pages[i];
      if (!p.result_row) continue;
      // result_id, task_id, request_id, page_number, records_count, total_records,
      // total_pages, completed_at, superseded_at, run_id
      results.append(random_id())
          .append(p.request.task_id)
          .append(written[i].request_id)
          .append(static_cast<int64_t>(p.request.page.value_or(0)))
          .append(p.records)
          .append(p.total_records)
          .append(p.total_pages)
          .append(p.request.collected_at);
      if (p.superseded || replaced[i]) {
        results.append(p.request.collected_at);
      } else {
        results.append_null();
      }
      results.append(p.run_id);
      results.end_row();
    }
    results.close();
  }

  void discard() override { pages_.clear(); }

 private:
  std::vector<std::shared_ptr<const PageWrite>> pages_;
};

DuckDbExtractionStore::DuckDbExtractionStore(Writer& writer)
    : writer_(writer),
      pages_(std::make_shared<PageBuffer>()),
      refused_(std::make_shared<std::atomic<std::uint64_t>>(0)) {
  writer_.add_buffer(pages_);
  writer_.set_error_handler([refused = refused_](const std::string& message) {
    ++*refused;
    log_error("could not store an extraction record", {{"error", message}});
  });
}

std::vector<std::pair<std::string, std::string>> DuckDbExtractionStore::schema_versions() {
  return writer_.call([](Connection& c) {
    std::vector<std::pair<std::string, std::string>> out;
    Result r =
        c.query("SELECT endpoint, structure FROM meta.schema_versions ORDER BY first_seen_at");
    for (size_t i = 0; i < r.row_count(); ++i)
      out.emplace_back(r.get_string(0, i), r.get_string(1, i));
    return out;
  });
}

std::map<std::string, std::vector<StoredPage>> DuckDbExtractionStore::current_pages(
    const std::vector<std::string>& task_ids) {
  std::string ids;
  for (const auto& id : task_ids) ids += (ids.empty() ? "" : ", ") + quote_literal(id);
  if (ids.empty()) return {};
  return writer_.call([&](Connection& c) {
    std::map<std::string, std::vector<StoredPage>> pages;
    Result r = c.query(
        "SELECT r.task_id, r.page_number, r.records_count, r.total_records, "
        "coalesce(r.total_pages, 0), p.compressed FROM runtime.task_results r LEFT JOIN "
        "raw.api_requests a USING (request_id) LEFT JOIN raw.payloads p ON p.payload_sha256 = "
        "a.payload_sha256 AND p.codec = 'zstd' AND p.dict_id IS NULL WHERE r.superseded_at IS "
        "NULL AND r.task_id IN (" +
        ids + ") ORDER BY r.task_id, r.page_number");
    for (size_t i = 0; i < r.row_count(); ++i) {
      StoredPage p;
      p.page = static_cast<int>(r.get_int64(1, i));
      p.records = r.get_int64(2, i);
      if (!r.is_null(3, i)) p.total_records = r.get_int64(3, i);
      p.total_pages = static_cast<int>(r.get_int64(4, i));
      if (!r.is_null(5, i) && p.records > 0)
        p.record_hashes = stored_record_hashes(r.get_blob(5, i));
      pages[r.get_string(0, i)].push_back(std::move(p));
    }
    return pages;
  });
}

void DuckDbExtractionStore::run_started(const RunStartWrite& run) {
  writer_.call([&](Connection& c) {
    c.prepare(
         "INSERT INTO meta.execution_log (run_id, command, stage, status, started_at, details) "
         "VALUES ($1, $2, 'extract', 'running', $3::TIMESTAMP, $4)")
        .bind(1, run.run_id)
        .bind(2, run.command)
        .bind(3, utc_timestamp_now())
        .bind(4, "worker " + run.worker_id)
        .execute();
  });
}

void DuckDbExtractionStore::run_finished(const RunEndWrite& run) {
  writer_.call([&](Connection& c) {
    const std::string now = utc_timestamp_now();
    c.prepare(
         "UPDATE meta.execution_log SET status = $1, message = $2, finished_at = $3::TIMESTAMP, "
         "details = $4 WHERE run_id = $5 AND stage = 'extract'")
        .bind(1, run.status)
        .bind(2, run.message)
        .bind(3, now)
        .bind(4, run.details)
        .bind(5, run.run_id)
        .execute();
    auto metric = c.prepare(
        "INSERT INTO meta.pipeline_metrics (run_id, metric, scope, value, recorded_at) VALUES "
        "($1, $2, $3, $4, $5::TIMESTAMP)");
    for (const RunMetric& m : run.metrics) {
      metric.bind(1, run.run_id)
          .bind(2, m.name)
          .bind(3, m.scope)
          .bind(4, m.value)
          .bind(5, now)
          .execute();
    }
  });
}

void DuckDbExtractionStore::put_page(PageWrite page) {
  if (page.request.collected_at.empty()) page.request.collected_at = utc_timestamp_now();
  writer_.enqueue([b = pages_, p = std::make_shared<const PageWrite>(std::move(page))](
                      Connection&) { b->add(p); });
}

void DuckDbExtractionStore::put_failure(FailureWrite f) {
  writer_.enqueue([f = std::move(f), at = utc_timestamp_now()](Connection& c) {
    c.prepare(
         "INSERT INTO meta.failed_requests (request_id, task_id, endpoint, url, page, "
         "http_status, error_class, error_message, attempts, failed_at) VALUES ($1, $2, $3, $4, "
         "$5, $6, $7, $8, $9, $10::TIMESTAMP)")
        .bind(1, random_id())
        .bind(2, f.task_id)
        .bind(3, f.endpoint)
        .bind(4, f.url)
        .bind(5, f.page)
        .bind(6, f.http_status ? std::optional<std::int64_t>(f.http_status) : std::nullopt)
        .bind(7, f.error_class)
        .bind(8, f.message)
        .bind(9, f.attempts)
        .bind(10, at)
        .execute();
  });
}

void DuckDbExtractionStore::put_shift(ShiftWrite s) {
  writer_.enqueue([b = pages_, s = std::move(s)](Connection& c) {
    b->flush(c);  // the pages accepted so far must be in the table to be superseded
    const std::string now = utc_timestamp_now();
    c.prepare("INSERT INTO meta.data_shifts VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMP)")
        .bind(1, s.run_id)
        .bind(2, s.task_id)
        .bind(3, s.endpoint)
        .bind(4, s.page)
        .bind(5, s.before)
        .bind(6, s.after)
        .bind(7, now)
        .execute();
    c.prepare(
         "UPDATE runtime.task_results SET superseded_at = $1::TIMESTAMP WHERE task_id = $2 AND "
         "superseded_at IS NULL")
        .bind(1, now)
        .bind(2, s.task_id)
        .execute();
  });
}

void DuckDbExtractionStore::supersede_other_totals(const std::string& task_id,
                                                   std::optional<std::int64_t> total) {
  writer_.enqueue([b = pages_, task_id, total](Connection& c) {
    b->flush(c);
    c.prepare(
         "UPDATE runtime.task_results SET superseded_at = $1::TIMESTAMP WHERE task_id = $2 AND "
         "superseded_at IS NULL AND total_records IS DISTINCT FROM $3")
        .bind(1, utc_timestamp_now())
        .bind(2, task_id)
        .bind(3, total)
        .execute();
  });
}

void DuckDbExtractionStore::supersede_task(const std::string& task_id) {
  writer_.enqueue([b = pages_, task_id](Connection& c) {
    b->flush(c);
    c.prepare(
         "UPDATE runtime.task_results SET superseded_at = $1::TIMESTAMP WHERE task_id = $2 AND "
         "superseded_at IS NULL")
        .bind(1, utc_timestamp_now())
        .bind(2, task_id)
        .execute();
  });
}

void DuckDbExtractionStore::resolve_failures(const std::string& task_id) {
  writer_.enqueue([b = pages_, task_id](Connection& c) {
    b->flush(c);
    c.prepare(
         "UPDATE meta.failed_requests SET resolved_at = $1::TIMESTAMP WHERE task_id = $2 AND "
         "resolved_at IS NULL AND (page IS NULL OR page IN (SELECT page_number FROM "
         "runtime.task_results WHERE task_id = $2 AND superseded_at IS NULL))")
        .bind(1, utc_timestamp_now())
        .bind(2, task_id)
        .execute();
  });
}

void DuckDbExtractionStore::put_circuit_event(CircuitEventWrite e) {
  writer_.enqueue([e = std::move(e), at = utc_timestamp_now()](Connection& c) {
    c.prepare("INSERT INTO meta.circuit_events VALUES ($1, $2, $3, $4, $5::TIMESTAMP)")
        .bind(1, e.run_id)
        .bind(2, e.endpoint)
        .bind(3, e.from)
        .bind(4, e.to)
        .bind(5, at)
        .execute();
  });
}

void DuckDbExtractionStore::put_completeness_check(CompletenessCheckWrite k) {
  writer_.enqueue([k = std::move(k), at = utc_timestamp_now()](Connection& c) {
    c.prepare(
         "INSERT INTO meta.completeness_checks (run_id, task_id, endpoint, total_records, "
         "total_after, outcome, checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMP)")
        .bind(1, k.run_id)
        .bind(2, k.task_id)
        .bind(3, k.endpoint)
        .bind(4, k.total)
        .bind(5, k.after)
        .bind(6, k.outcome)
        .bind(7, at)
        .execute();
  });
}

void DuckDbExtractionStore::put_schema_version(const SchemaVersion& v, const std::string& url) {
  writer_.enqueue([v, url, at = utc_timestamp_now()](Connection& c) {
    c.prepare(
         "INSERT INTO meta.schema_versions (endpoint, fingerprint, structure, first_seen_at, "
         "first_request_id, changes) VALUES ($1, $2, $3, $4::TIMESTAMP, $5, $6) "
         "ON CONFLICT DO NOTHING")
        .bind(1, v.endpoint)
        .bind(2, v.fingerprint)
        .bind(3, v.structure)
        .bind(4, at)
        .bind(5, url)
        .bind(6, v.baseline ? std::optional<std::string>() : std::optional<std::string>(v.changes))
        .execute();
  });
}

void DuckDbExtractionStore::flush() {
  writer_.flush();
}

std::uint64_t DuckDbExtractionStore::refused_writes() const {
  return refused_->load();
}

}  // namespace baliza::extract
