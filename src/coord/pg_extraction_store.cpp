#include "coord/pg_extraction_store.h"

#include "coord/pg_hex.h"
#include "core/clock.h"
#include "core/zstd_codec.h"
#include "extract/page_envelope.h"

namespace baliza::coord {

using extract::StoredPage;

PgExtractionStore::PgExtractionStore(const std::string& url, std::string worker_id,
                                     std::chrono::seconds patience)
    : writer_(url, patience), worker_id_(std::move(worker_id)) {}

std::vector<std::pair<std::string, std::string>> PgExtractionStore::schema_versions() {
  std::vector<std::pair<std::string, std::string>> out;
  writer_.call([&](PgConnection& c) {
    out.clear();
    const PgResult r = c.exec(
        "SELECT endpoint, structure FROM baliza.schema_versions ORDER BY first_seen_at, "
        "fingerprint");
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.get(i, 0), r.get(i, 1));
  });
  return out;
}

std::map<std::string, std::vector<StoredPage>> PgExtractionStore::current_pages(
    const std::vector<std::string>& task_ids) {
  std::map<std::string, std::vector<StoredPage>> pages;
  if (task_ids.empty()) return pages;
  std::string array = "{";
  for (std::size_t i = 0; i < task_ids.size(); ++i) array += (i ? "," : "") + task_ids[i];
  array += "}";
  writer_.call([&](PgConnection& c) {
    pages.clear();
    // With each page's stored body, for its record hashes (repeated records, task_state.h).
    const PgResult r = c.exec(
        "SELECT t.task_id, t.page_number, t.records_count, t.total_records, "
        "coalesce(t.total_pages, 0), encode(p.compressed, 'hex') FROM baliza.task_results t "
        "LEFT JOIN baliza.api_requests a ON a.request_id = t.request_id LEFT JOIN "
        "baliza.payloads p ON p.payload_sha256 = a.payload_sha256 AND p.codec = 'zstd' WHERE "
        "t.superseded_at IS NULL AND t.task_id = ANY($1::text[]) ORDER BY t.task_id, "
        "t.page_number, t.completed_at",
        {array});
    for (int i = 0; i < r.rows(); ++i) {
      StoredPage p;
      p.page = static_cast<int>(r.get_int64(i, 1));
      p.records = r.get_int64(i, 2);
      if (!r.is_null(i, 3)) p.total_records = r.get_int64(i, 3);
      p.total_pages = static_cast<int>(r.get_int64(i, 4));
      auto& list = pages[r.get(i, 0)];
      if (!list.empty() && list.back().page == p.page) continue;
      if (!r.is_null(i, 5) && p.records > 0) {
        try {
          p.record_hashes = extract::record_hashes_of(zstd_decompress(unhex(r.get(i, 5))));
        } catch (const std::exception&) {  // not readable back: this page is not compared
        }
      }
      list.push_back(std::move(p));
    }
  });
  return pages;
}

void PgExtractionStore::run_started(const extract::RunStartWrite& run) {
  writer_.call([&](PgConnection& c) {
    c.exec(
        "INSERT INTO baliza.execution_log (run_id, worker_id, command, status, started_at) "
        "VALUES ($1, $2, $3, 'running', now()) ON CONFLICT DO NOTHING",
        {run.run_id, worker_id_, run.command});
  });
}

void PgExtractionStore::run_finished(const extract::RunEndWrite& run) {
  writer_.call([&](PgConnection& c) {
    c.exec(
        "UPDATE baliza.execution_log SET status = $1, message = $2, finished_at = now(), "
        "details = $3, xid = pg_current_xact_id() WHERE run_id = $4",
        {run.status, run.message, run.details, run.run_id});
    c.exec("DELETE FROM baliza.pipeline_metrics WHERE run_id = $1", {run.run_id});
    for (const extract::RunMetric& m : run.metrics) {
      c.exec(
          "INSERT INTO baliza.pipeline_metrics (run_id, metric, scope, value) VALUES ($1, $2, "
          "$3, $4::float8)",
          {run.run_id, m.name, m.scope, std::to_string(m.value)});
    }
  });
}

void PgExtractionStore::put_page(extract::PageWrite page) {
  if (page.request.collected_at.empty()) page.request.collected_at = utc_timestamp_now();
  if (page.request.request_id.empty()) page.request.request_id = random_id();
  const std::string result_id = random_id();
  const std::int64_t seq = ++seq_;
  std::optional<std::string> claim = claim_for(page.request.task_id);
  writer_.enqueue([this, p = std::make_shared<const extract::PageWrite>(std::move(page)), result_id,
                   seq, claim, worker = worker_id_](PgConnection& c) {
    const RawRequest& q = p->request;
    if (!admitted(c, q.task_id, claim)) return;
    if (p->has_body) {
      c.exec(
          "INSERT INTO baliza.payloads (payload_sha256, codec, raw_size, compressed) VALUES "
          "($1, 'zstd', $2, $3) ON CONFLICT DO NOTHING",
          {p->payload.sha256, static_cast<std::int64_t>(p->payload.raw_size),
           PgParam::bytes(p->payload.compressed)});
    }
    c.exec(
        "INSERT INTO baliza.api_requests (request_id, task_id, endpoint, url, params, page, "
        "http_status, etag, payload_sha256, payload_size, collected_at, worker_id) VALUES ($1, "
        "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamp, $12) ON CONFLICT DO NOTHING",
        {q.request_id, q.task_id, q.endpoint, q.url, q.params,
         q.page ? PgParam(std::int64_t{*q.page}) : PgParam::null(), std::int64_t{q.http_status},
         q.etag, p->has_body ? PgParam(p->payload.sha256) : PgParam::null(),
         p->has_body ? PgParam(static_cast<std::int64_t>(p->payload.raw_size)) : PgParam::null(),
         q.collected_at, worker});
    if (!p->result_row) return;
    // A page asked again because its stored answer was wrong (short, repeating records of
    // another page: PageWrite::replaces_current) takes the current answer's place. Replayed
    // after a lost connection, it leaves its own row alone.
    if (p->replaces_current && !p->superseded) {
      c.exec(
          "UPDATE baliza.task_results SET superseded_at = $3::timestamp, xid = "
          "pg_current_xact_id() WHERE task_id = $1 AND page_number = $2 AND superseded_at IS "
          "NULL AND result_id <> $4",
          {q.task_id, std::int64_t{q.page.value_or(0)}, q.collected_at, result_id});
    }
    // A page already current for this task (stored by a worker whose claim expired while it
    // worked) keeps its place: this one is kept, superseded.
    c.exec(
        "INSERT INTO baliza.task_results (result_id, task_id, request_id, page_number, "
        "records_count, total_records, total_pages, completed_at, superseded_at, run_id, "
        "worker_id, put_seq) SELECT $1, $2, $3, $4, $5, $6, $7, $8::timestamp, CASE WHEN $9 OR "
        "EXISTS (SELECT 1 FROM baliza.task_results WHERE task_id = $2 AND page_number = $4 AND "
        "superseded_at IS NULL AND result_id <> $1) THEN $8::timestamp END, $10, $11, $12 "
        "ON CONFLICT DO NOTHING",
        {result_id, q.task_id, q.request_id, std::int64_t{q.page.value_or(0)}, p->records,
         p->total_records, p->total_pages, q.collected_at,
         std::string(p->superseded ? "true" : "false"), p->run_id, worker, seq});
  });
}

void PgExtractionStore::put_failure(extract::FailureWrite f) {
  std::optional<std::string> claim = claim_for(f.task_id);
  writer_.enqueue([this, f = std::move(f), claim, id = random_id(), at = utc_timestamp_now(),
                   worker = worker_id_](PgConnection& c) {
    if (!admitted(c, f.task_id, claim)) return;
    c.exec(
        "INSERT INTO baliza.failed_requests (request_id, task_id, endpoint, url, page, "
        "http_status, error_class, error_message, attempts, failed_at, worker_id) VALUES ($1, "
        "$2, $3, $4, $5, $6, $7, $8, $9, $10::timestamp, $11) ON CONFLICT DO NOTHING",
        {id, f.task_id, f.endpoint, f.url, std::int64_t{f.page},
         f.http_status ? PgParam(std::int64_t{f.http_status}) : PgParam::null(), f.error_class,
         f.message, std::int64_t{f.attempts}, at, worker});
  });
}

void PgExtractionStore::supersede(const std::string& task_id, bool only_other_totals,
                                  std::optional<std::int64_t> total) {
  const std::int64_t seq = seq_.load();
  writer_.enqueue([this, task_id, only_other_totals, total, seq, claim = claim_for(task_id),
                   worker = worker_id_](PgConnection& c) {
    if (!admitted(c, task_id, claim)) return;
    std::string sql =
        "UPDATE baliza.task_results SET superseded_at = now(), xid = pg_current_xact_id() "
        "WHERE task_id = $1 AND superseded_at IS NULL AND NOT (worker_id = $2 AND put_seq > $3)";
    std::vector<PgParam> params{task_id, worker, seq};
    if (only_other_totals) {
      sql += " AND total_records IS DISTINCT FROM $4::bigint";
      params.push_back(total);
    }
    c.exec(sql, params);
  });
}

void PgExtractionStore::put_shift(extract::ShiftWrite s) {
  writer_.enqueue([this, s, claim = claim_for(s.task_id), id = random_id(),
                   at = utc_timestamp_now()](PgConnection& c) {
    if (!admitted(c, s.task_id, claim)) return;
    c.exec(
        "INSERT INTO baliza.data_shifts (shift_id, run_id, task_id, endpoint, page, "
        "total_before, total_after, detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
        "$8::timestamp) ON CONFLICT DO NOTHING",
        {id, s.run_id, s.task_id, s.endpoint, std::int64_t{s.page}, s.before, s.after, at});
  });
  supersede(s.task_id, false, std::nullopt);
}

void PgExtractionStore::supersede_other_totals(const std::string& task_id,
                                               std::optional<std::int64_t> total) {
  supersede(task_id, true, total);
}

void PgExtractionStore::supersede_task(const std::string& task_id) {
  supersede(task_id, false, std::nullopt);
}

void PgExtractionStore::resolve_failures(const std::string& task_id) {
  writer_.enqueue([this, task_id, claim = claim_for(task_id)](PgConnection& c) {
    if (!admitted(c, task_id, claim)) return;
    c.exec(
        "UPDATE baliza.failed_requests SET resolved_at = now(), xid = pg_current_xact_id() "
        "WHERE task_id = $1 AND resolved_at IS NULL AND (page IS NULL OR page IN (SELECT "
        "page_number FROM baliza.task_results WHERE task_id = $1 AND superseded_at IS NULL))",
        {task_id});
  });
}

void PgExtractionStore::put_circuit_event(extract::CircuitEventWrite e) {
  writer_.enqueue([e = std::move(e), id = random_id(), at = utc_timestamp_now(),
                   worker = worker_id_](PgConnection& c) {
    c.exec(
        "INSERT INTO baliza.circuit_events (event_id, run_id, endpoint, from_state, to_state, "
        "occurred_at, worker_id) VALUES ($1, $2, $3, $4, $5, $6::timestamp, $7) ON CONFLICT DO "
        "NOTHING",
        {id, e.run_id, e.endpoint, e.from, e.to, at, worker});
  });
}

void PgExtractionStore::put_completeness_check(extract::CompletenessCheckWrite k) {
  std::optional<std::string> claim = claim_for(k.task_id);
  writer_.enqueue([this, k = std::move(k), claim, id = random_id(), at = utc_timestamp_now(),
                   worker = worker_id_](PgConnection& c) {
    if (!admitted(c, k.task_id, claim)) return;
    c.exec(
        "INSERT INTO baliza.completeness_checks (check_id, run_id, task_id, endpoint, "
        "total_records, total_after, outcome, checked_at, worker_id) VALUES ($1, $2, $3, $4, $5, "
        "$6, $7, $8::timestamp, $9) ON CONFLICT DO NOTHING",
        {id, k.run_id, k.task_id, k.endpoint, PgParam(k.total), PgParam(k.after), k.outcome, at,
         worker});
  });
}

void PgExtractionStore::put_schema_version(const extract::SchemaVersion& v,
                                           const std::string& url) {
  writer_.enqueue([v, url, at = utc_timestamp_now()](PgConnection& c) {
    c.exec(
        "INSERT INTO baliza.schema_versions (endpoint, fingerprint, structure, first_seen_at, "
        "first_request_id, changes) VALUES ($1, $2, $3, $4::timestamp, $5, $6) ON CONFLICT DO "
        "NOTHING",
        {v.endpoint, v.fingerprint, v.structure, at, url,
         v.baseline ? PgParam::null() : PgParam(v.changes)});
  });
}

void PgExtractionStore::flush() {
  writer_.flush();
}

std::uint64_t PgExtractionStore::refused_writes() const {
  return writer_.refused();
}

}  // namespace baliza::coord
