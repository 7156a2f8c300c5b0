#include "ops/recovery.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/sha256.h"
#include "extract/extractor.h"
#include "extract/fetch_engine.h"
#include "plan/task_scope.h"

namespace baliza::ops {
namespace {

using plan::task_scope_sql;

std::string next_step(const EndpointRecovery& r, const std::string& period) {
  if (r.planned == 0) return "nothing planned: baliza plan --mes " + period;
  if (r.permanent_failures > 0) {
    return std::to_string(r.permanent_failures) +
           " request(s) rejected by the API (not retryable): fix the endpoint in "
           "endpoints.yaml, then baliza plan --mes " +
           period + " and baliza retry-failed " + period;
  }
  if (!r.circuit.empty()) {
    return "the API kept failing (circuit " + r.circuit + "): wait, then baliza retry-failed " +
           period;
  }
  if (r.failed + r.partial > 0) return "baliza retry-failed " + period;
  if (r.pending + r.claimed > 0) {
    return "baliza extract --mes " + period + " --endpoint " + r.endpoint;
  }
  return "complete";
}

}  // namespace

std::vector<std::string> requeue_failed(Connection& conn, const plan::DateRange& range,
                                        const std::vector<std::string>& endpoints,
                                        const std::string& run_id) {
  std::vector<std::string> ids;
  const std::string now = utc_timestamp_now();
  conn.transaction([&] {
    Result r = conn.query(
        "SELECT task_id FROM planning.task_plan t WHERE t.status IN ('failed', "
        "'partial') AND " +
        task_scope_sql(range, endpoints) + " ORDER BY task_id");
    for (size_t i = 0; i < r.row_count(); ++i) ids.push_back(r.get_string(0, i));
    if (ids.empty()) return;
    const std::string condition =
        "t.status IN ('failed', 'partial') AND " + task_scope_sql(range, endpoints);
    conn.prepare(
            "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, "
            "occurred_at) SELECT task_id, 'requeued', 'pending', $1, 'was ' || status || "
            "coalesce(': ' || last_error, ''), $2::TIMESTAMP FROM planning.task_plan t WHERE " +
            condition)
        .bind(1, run_id)
        .bind(2, now)
        .execute();
    conn.prepare(
            "UPDATE planning.task_plan t SET status = 'pending', updated_at = $1::TIMESTAMP "
            "WHERE " +
            condition)
        .bind(1, now)
        .execute();
  });
  return ids;
}

std::vector<EndpointRecovery> recovery_status(Connection& conn, const plan::DateRange& range,
                                              const std::string& period_arg) {
  return recovery_status(*connection_reader(conn, false), range, period_arg);
}

std::vector<EndpointRecovery> recovery_status(Reader& reader, const plan::DateRange& range,
                                              const std::string& period_arg) {
  TextTable r = reader.query(
      "WITH t AS (SELECT * FROM planning.task_plan t WHERE " + task_scope_sql(range, {}) +
      "), pages AS (SELECT task_id, count(*) AS stored, max(coalesce(total_pages, 0)) AS "
      "total_pages, max(total_records) AS total_records, sum(records_count) AS records FROM "
      "runtime.task_results WHERE superseded_at IS NULL GROUP BY task_id), "
      "fails AS (SELECT task_id, count(*) FILTER (WHERE resolved_at IS NULL) AS unresolved, "
      "count(*) FILTER (WHERE resolved_at IS NULL AND error_class = 'permanent') AS permanent "
      "FROM meta.failed_requests GROUP BY task_id) "
      "SELECT t.endpoint_name, count(*), count(*) FILTER (WHERE t.status = 'done'), "
      "count(*) FILTER (WHERE t.status = 'failed'), count(*) FILTER (WHERE t.status = "
      "'partial'), count(*) FILTER (WHERE t.status = 'pending'), count(*) FILTER (WHERE "
      "t.status = 'claimed'), coalesce(sum(CASE WHEN t.status <> 'done' AND p.task_id IS NOT "
      "NULL THEN greatest(greatest(p.total_pages, 1) - p.stored, 0) ELSE 0 END), 0), count(*) "
      "FILTER (WHERE t.status <> 'done' AND p.task_id IS NULL), coalesce(sum(f.unresolved), 0), "
      "coalesce(sum(f.permanent), 0), coalesce(max(t.last_error) FILTER (WHERE t.status <> "
      "'done'), ''), coalesce(sum(CASE WHEN t.status <> 'done' THEN greatest(p.total_records - "
      "p.records, 0) END), 0) FROM t LEFT JOIN pages p USING (task_id) LEFT JOIN fails f USING "
      "(task_id) "
      "GROUP BY 1 ORDER BY 1");
  std::vector<EndpointRecovery> rows;
  for (size_t i = 0; i < r.row_count(); ++i) {
    EndpointRecovery e;
    e.endpoint = r.text(0, i);
    e.planned = r.int64(1, i);
    e.done = r.int64(2, i);
    e.failed = r.int64(3, i);
    e.partial = r.int64(4, i);
    e.pending = r.int64(5, i);
    e.claimed = r.int64(6, i);
    e.pages_missing = r.int64(7, i);
    e.tasks_not_started = r.int64(8, i);
    e.unresolved_failures = r.int64(9, i);
    e.permanent_failures = r.int64(10, i);
    e.last_error = r.text(11, i);
    e.records_missing = r.int64(12, i);
    rows.push_back(std::move(e));
  }
  TextTable circuits = reader.query(
      "SELECT endpoint, arg_max(to_state, occurred_at) FROM meta.circuit_events GROUP BY 1");
  for (size_t i = 0; i < circuits.row_count(); ++i) {
    const std::string state = circuits.text(1, i);
    if (state == "closed") continue;
    for (auto& e : rows) {
      if (e.endpoint == circuits.text(0, i)) e.circuit = state;
    }
  }
  // Per endpoint: the last day before the first unfinished task (the period's last day when all
  // are done), and when the data was last proved.
  TextTable known = reader.query(
      "WITH t AS (SELECT * FROM planning.task_plan t WHERE t.removed_at IS NULL AND " +
      task_scope_sql(range, {}) +
      "), checks AS (SELECT c.task_id, max(c.checked_at) AS at FROM meta.completeness_checks c "
      "WHERE c.outcome = 'confirmed' GROUP BY 1) SELECT t.endpoint_name, CASE WHEN "
      "count(*) FILTER (WHERE t.status <> 'done') = 0 THEN max(coalesce(t.window_end, "
      "t.data_date)) ELSE min(t.data_date) FILTER (WHERE t.status <> 'done') - 1 END, "
      "CAST(max(coalesce(c.at, t.updated_at)) FILTER (WHERE t.status = 'done') AS VARCHAR) FROM "
      "t LEFT JOIN checks c USING (task_id) GROUP BY 1");
  for (size_t i = 0; i < known.row_count(); ++i) {
    for (auto& e : rows) {
      if (e.endpoint != known.text(0, i)) continue;
      if (!known.is_null(1, i)) {
        const std::string day = known.text(1, i);
        if (day >= plan::iso_date(range.first)) e.complete_through = day;
      }
      if (!known.is_null(2, i)) e.last_checked = known.text(2, i).substr(0, 19);
    }
  }
  for (auto& e : rows) e.next_step = next_step(e, period_arg);
  return rows;
}

std::string describe_recovery(const std::vector<EndpointRecovery>& rows) {
  if (rows.empty()) return "nothing planned for this period\n";
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-30s %7s %6s %6s %7s %7s %8s %8s %8s %8s\n", "endpoint",
                "planned", "done", "failed", "partial", "pending", "pages", "records", "failures",
                "circuit");
  out += buf;
  for (const auto& e : rows) {
    std::snprintf(
        buf, sizeof buf, "%-30s %7lld %6lld %6lld %7lld %7lld %8lld %8lld %8lld %8s\n",
        e.endpoint.c_str(), static_cast<long long>(e.planned), static_cast<long long>(e.done),
        static_cast<long long>(e.failed), static_cast<long long>(e.partial),
        static_cast<long long>(e.pending + e.claimed), static_cast<long long>(e.pages_missing),
        static_cast<long long>(e.records_missing), static_cast<long long>(e.unresolved_failures),
        e.circuit.empty() ? "closed" : e.circuit.c_str());
    out += buf;
  }
  out += "\n";
  for (const auto& e : rows) {
    out += e.endpoint + ": " + e.next_step + "\n";
    out += "  known complete through " +
           (e.complete_through.empty() ? std::string("(no day yet)") : e.complete_through) +
           (e.last_checked.empty() ? std::string() : ", last checked " + e.last_checked + " UTC") +
           "\n";
    if (!e.last_error.empty() && e.next_step != "complete")
      out += "  last error: " + e.last_error + "\n";
  }
  return out;
}

// ---- verify ---------------------------------------------------------------------------------

namespace {

struct StoredRef {
  std::string request_id, task_id, endpoint, url, params, sha256;
  std::optional<std::int64_t> page, records;
};

struct Checked {
  StoredRef ref;
  std::string outcome, message, fetched_sha;
  long http_status = 0;
  std::string body;  // kept when changed
  std::string etag;
};

// The raw-store request for a page whose body changed upstream.
RawRequest request_of(const Checked& c) {
  RawRequest request;
  request.task_id = c.ref.task_id;
  request.endpoint = c.ref.endpoint;
  request.url = c.ref.url;
  request.params = c.ref.params;
  if (c.ref.page) request.page = static_cast<int>(*c.ref.page);
  request.http_status = static_cast<int>(c.http_status);
  request.etag = c.etag;
  return request;
}

std::vector<StoredRef> select_pages(Connection& conn, const VerifyOptions& o) {
  std::string where = "r.superseded_at IS NULL AND a.payload_sha256 IS NOT NULL";
  if (o.range)
    where += " AND " + task_scope_sql(*o.range, o.endpoints);
  else if (!o.endpoints.empty()) {
    where += " AND " + task_scope_sql(
                           {plan::parse_iso_date("1900-01-01"), plan::parse_iso_date("2999-12-31")},
                           o.endpoints);
  }
  if (o.sample < 1.0) {
    where += " AND hash(a.request_id || " + quote_literal(std::to_string(o.seed)) +
             ") % 1000000 < " + std::to_string(static_cast<long long>(o.sample * 1000000));
  }
  Result r = conn.query(
      "SELECT a.request_id, a.task_id, a.endpoint, a.url, coalesce(a.params, ''), "
      "a.payload_sha256, a.page, r.records_count FROM runtime.task_results r JOIN "
      "raw.api_requests a USING (request_id) JOIN planning.task_plan t ON t.task_id = r.task_id "
      "WHERE " +
      where + " ORDER BY a.endpoint, a.url");
  std::vector<StoredRef> refs;
  for (size_t i = 0; i < r.row_count(); ++i) {
    StoredRef s;
    s.request_id = r.get_string(0, i);
    s.task_id = r.get_string(1, i);
    s.endpoint = r.get_string(2, i);
    s.url = r.get_string(3, i);
    s.params = r.get_string(4, i);
    s.sha256 = r.get_string(5, i);
    if (!r.is_null(6, i)) s.page = r.get_int64(6, i);
    if (!r.is_null(7, i)) s.records = r.get_int64(7, i);
    refs.push_back(std::move(s));
  }
  return refs;
}

std::string rebase(const std::string& url, const std::string& base_url,
                   const plan::EndpointsConfig& config, const std::string& endpoint) {
  if (base_url.empty()) return url;
  const plan::EndpointConfig* e = config.find(endpoint);
  const size_t at = e ? url.find(e->path) : std::string::npos;
  if (at == std::string::npos) return url;
  std::string out = base_url;
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out + url.substr(at);
}

}  // namespace

VerifyResult verify_pages(Connection& conn, const plan::EndpointsConfig& config,
                          const VerifyOptions& o) {
  if (!(o.sample > 0 && o.sample <= 1)) throw usage_error("--sample must be in (0, 1], e.g. 0.1");
  VerifyResult result;
  result.run_id = random_id();
  std::vector<StoredRef> refs = select_pages(conn, o);
  std::vector<Checked> checked(refs.size());
  {
    extract::FetchEngine engine(
        extract::engine_options(config, o.concurrency, 0), [&](extract::PageOutcome out) {
          Checked& c = checked[out.tag];
          c.http_status = out.http_status;
          c.etag = out.etag;
          if (out.status == extract::FetchStatus::kSuccess) {
            c.fetched_sha = sha256_hex(out.body);
            if (c.fetched_sha == c.ref.sha256) {
              c.outcome = "same";
            } else {
              c.outcome = "changed";
              const std::int64_t now_records =
                  out.envelope ? static_cast<std::int64_t>(out.envelope->record_count) : -1;
              c.message = "records " + (c.ref.records ? std::to_string(*c.ref.records) : "?") +
                          " -> " + std::to_string(now_records);
              c.body = std::move(out.body);
            }
          } else if (out.status == extract::FetchStatus::kAbandoned) {
            // Not checked (interrupted before it was asked or answered): no row.
          } else if (out.status == extract::FetchStatus::kEmpty) {
            c.outcome = "gone";
            c.message = "the API now answers HTTP " + std::to_string(out.http_status) + " (empty)";
          } else {
            c.outcome = "failed";
            c.message = extract::failure_message(out);
          }
        });
    std::uint64_t accepted = 0;  // each accepted request reaches the sink exactly once
    for (size_t i = 0; i < refs.size(); ++i) {
      checked[i].ref = refs[i];
      if (engine.submit({refs[i].endpoint,
                         rebase(refs[i].url, o.base_url, config, refs[i].endpoint),
                         i,
                         {}})) {
        ++accepted;
      }
    }
    // Wait, watching for an interrupt: then nothing more is asked and the requests on the
    // wire finish.
    while (engine.counters().done < accepted) {
      if (o.interrupts && o.interrupts->load() > 0 && !result.interrupted) {
        result.interrupted = true;
        log_warn("interrupted: no new pages are asked; finishing the requests in flight");
        engine.cancel(extract::CancelMode::kFinishInFlight);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    engine.wait_idle();
    // No answer from the API at all (no network, a wrong base URL): an environment error that
    // names the host, not "every page failed".
    if (const auto unreachable = engine.environment_error()) throw environment_error(*unreachable);
  }
  result.selected = static_cast<std::int64_t>(refs.size());
  RawStore raw(conn, o.raw);
  conn.transaction([&] {
    auto insert = conn.prepare(
        "INSERT INTO meta.verifications VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
        "$12, $13::TIMESTAMP)");
    for (Checked& c : checked) {
      if (c.outcome.empty()) continue;  // abandoned by an interrupt
      std::optional<std::string> fetched_request;
      if (c.outcome == "changed") {
        fetched_request = raw.put(request_of(c), c.body).request_id;
      }
      insert.bind(1, result.run_id)
          .bind(2, c.ref.request_id)
          .bind(3, c.ref.task_id)
          .bind(4, c.ref.endpoint)
          .bind(5, c.ref.url)
          .bind(6, c.ref.page)
          .bind(7, c.ref.sha256)
          .bind(8, c.fetched_sha.empty() ? std::optional<std::string>() : c.fetched_sha)
          .bind(9, fetched_request)
          .bind(10, c.outcome)
          .bind(11, c.http_status ? std::optional<std::int64_t>(c.http_status) : std::nullopt)
          .bind(12, c.message.empty() ? std::optional<std::string>() : c.message)
          .bind(13, utc_timestamp_now())
          .execute();
      ++result.checked;
      if (c.outcome == "same") ++result.same;
      if (c.outcome == "changed") ++result.changed;
      if (c.outcome == "gone") ++result.gone;
      if (c.outcome == "failed") ++result.failed;
      if (c.outcome != "same" && result.changes.size() < 20) {
        result.changes.push_back({c.ref.endpoint, c.ref.url, c.outcome, c.message});
      }
    }
  });
  return result;
}

std::string describe_verify(const VerifyResult& r) {
  std::string out = "checked " + std::to_string(r.checked) + " pages: " + std::to_string(r.same) +
                    " same, " + std::to_string(r.changed) + " changed upstream, " +
                    std::to_string(r.gone) + " now empty, " + std::to_string(r.failed) +
                    " could not be fetched (run " + r.run_id + ")\n";
  if (r.interrupted) {
    out += "interrupted: " + std::to_string(r.checked) + " of " + std::to_string(r.selected) +
           " selected page(s) checked; run the same verify again to check them all\n";
  }
  for (const auto& c : r.changes) {
    out += "  " + c.outcome + " " + c.endpoint + " " + c.url +
           (c.message.empty() ? "" : ": " + c.message) + "\n";
  }
  if (r.checked > static_cast<std::int64_t>(r.changes.size()) + r.same) {
    out += "  ... all of them in meta.verifications (run_id = '" + r.run_id + "')\n";
  }
  return out;
}

}  // namespace baliza::ops
