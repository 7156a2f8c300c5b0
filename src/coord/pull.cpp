#include "coord/pull.h"

#include <map>
#include <unordered_set>

#include "coord/pg_hex.h"
#include "core/clock.h"
#include "extract/raw_tables.h"

namespace baliza::coord {
namespace {

constexpr int kChunk = 1000;

const char* const kLocalTables = R"SQL(
CREATE TABLE IF NOT EXISTS meta.coordinator_pulls (
  coordinator VARCHAR PRIMARY KEY,
  watermark VARCHAR NOT NULL,
  pulled_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS meta.coordinator_workers (
  worker_id VARCHAR PRIMARY KEY,
  host VARCHAR,
  pid INTEGER,
  status VARCHAR,
  started_at TIMESTAMP,
  last_seen TIMESTAMP,
  pages BIGINT,
  pages_last_minute BIGINT,
  active_claims BIGINT,
  pulled_at TIMESTAMP
);
)SQL";

std::string sql_list(const std::vector<std::string>& values) {
  std::string list;
  for (const auto& v : values) list += (list.empty() ? "" : ", ") + quote_literal(v);
  return list;
}

std::unordered_set<std::string> present(Connection& local, const std::string& table,
                                        const std::string& column,
                                        const std::vector<std::string>& values) {
  std::unordered_set<std::string> found;
  if (values.empty()) return found;
  Result r = local.query("SELECT " + column + " FROM " + table + " WHERE " + column + " IN (" +
                         sql_list(values) + ")");
  for (size_t i = 0; i < r.row_count(); ++i) found.insert(r.get_string(0, i));
  return found;
}

std::optional<std::int64_t> opt_int(const PgResult& r, int row, int col) {
  if (r.is_null(row, col)) return std::nullopt;
  return r.get_int64(row, col);
}

bool interrupted(const std::atomic<int>* interrupts) {
  return interrupts && interrupts->load() > 0;
}

// Pages: requests of the window in chunks (keyset on request_id), their bodies when missing.
// Returns false when interrupted between chunks.
bool pull_pages(Connection& local, PgConnection& pg, const std::string& lo, const std::string& hi,
                PullResult& out, const std::atomic<int>* interrupts) {
  std::string after;
  for (;;) {
    if (interrupted(interrupts)) return false;
    const PgResult r = pg.exec(
        "SELECT request_id, task_id, endpoint, url, params, page, http_status, etag, "
        "payload_sha256, collected_at::text FROM baliza.api_requests WHERE xid >= $1::xid8 AND "
        "xid < $2::xid8 AND request_id > $3 ORDER BY request_id LIMIT " +
            std::to_string(kChunk),
        {lo, hi, after});
    if (r.rows() == 0) return true;
    std::vector<std::string> ids;
    for (int i = 0; i < r.rows(); ++i) ids.push_back(r.get(i, 0));
    after = ids.back();
    const auto have = present(local, "raw.api_requests", "request_id", ids);
    std::vector<RawRequest> requests;
    std::vector<std::string> shas;
    for (int i = 0; i < r.rows(); ++i) {
      if (have.count(r.get(i, 0))) continue;
      RawRequest q;
      q.request_id = r.get(i, 0);
      q.task_id = r.get(i, 1);
      q.endpoint = r.get(i, 2);
      q.url = r.get(i, 3);
      q.params = r.get(i, 4);
      if (!r.is_null(i, 5)) q.page = static_cast<int>(r.get_int64(i, 5));
      q.http_status = static_cast<int>(r.get_int64(i, 6));
      q.etag = r.get(i, 7);
      q.collected_at = r.get(i, 9);
      requests.push_back(std::move(q));
      shas.push_back(r.get(i, 8));
    }
    if (requests.empty()) continue;
    std::vector<std::string> wanted;
    for (const auto& s : shas) {
      if (!s.empty()) wanted.push_back(s);
    }
    const auto local_bodies = present(local, "raw.payloads", "payload_sha256", wanted);
    std::vector<std::string> fetch;
    for (const auto& s : wanted) {
      if (!local_bodies.count(s)) fetch.push_back(s);
    }
    std::map<std::string, PreparedPayload> bodies;
    if (!fetch.empty()) {
      std::string array = "{";
      for (std::size_t i = 0; i < fetch.size(); ++i) array += (i ? "," : "") + fetch[i];
      const PgResult p = pg.exec(
          "SELECT payload_sha256, raw_size, encode(compressed, 'hex') FROM baliza.payloads "
          "WHERE payload_sha256 = ANY($1::text[])",
          {array + "}"});
      for (int i = 0; i < p.rows(); ++i) {
        PreparedPayload b;
        b.sha256 = p.get(i, 0);
        b.raw_size = static_cast<std::size_t>(p.get_int64(i, 1));
        b.compressed = unhex(p.get(i, 2));
        bodies[b.sha256] = std::move(b);
      }
    }
    // Bodies already here are looked up by hash inside append_raw_rows; it only needs the hash
    // and size of those.
    std::vector<PreparedPayload> local_refs(requests.size());
    std::vector<RawRow> rows;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      RawRow row{&requests[i], nullptr};
      if (!shas[i].empty()) {
        auto it = bodies.find(shas[i]);
        if (it != bodies.end()) {
          row.payload = &it->second;
        } else if (local_bodies.count(shas[i])) {
          local_refs[i].sha256 = shas[i];
          local_refs[i].raw_size = static_cast<std::size_t>(
              std::stoll(local
                             .scalar("SELECT raw_size FROM raw.payloads WHERE payload_sha256 = " +
                                     quote_literal(shas[i]))
                             .value_or("0")));
          row.payload = &local_refs[i];
        } else {
          throw failure("the coordinator has request " + requests[i].request_id +
                        " but not its body " + shas[i] + "; its payload row is missing");
        }
      }
      rows.push_back(row);
    }
    local.transaction([&] {
      for (const RawRowWritten& w : append_raw_rows(local, rows)) {
        if (w.stored_new) ++out.payloads_new;
      }
    });
    out.requests += static_cast<std::int64_t>(rows.size());
  }
}

// Statuses, results, failures, shifts, events, versions and run log of the window, into
// temp tables (then applied with the watermark in one transaction).
void pull_tasks(Connection& local, PgConnection& pg, const std::string& lo, const std::string& hi,
                PullResult& out) {
  const PgResult r = pg.exec(
      "SELECT task_id, endpoint_name, data_date::text, window_end::text, modalidade, params, "
      "status, plan_fingerprint, attempts, last_error, removed_at::text, updated_at::text, "
      "created_at::text FROM baliza.task_plan WHERE xid >= $1::xid8 AND xid < $2::xid8",
      {lo, hi});
  local.execute(
      "CREATE OR REPLACE TEMP TABLE pulled_tasks AS SELECT * FROM planning.task_plan LIMIT 0");
  Appender a = local.appender("", "pulled_tasks");
  for (int i = 0; i < r.rows(); ++i) {
    // task_id, endpoint_name, data_date, window_end, modalidade, params, status,
    // plan_fingerprint, created_at, updated_at, removed_at, attempts, last_error
    a.append(r.get(i, 0)).append(r.get(i, 1)).append(r.get(i, 2)).append(r.get_optional(i, 3));
    a.append(opt_int(r, i, 4)).append(r.get(i, 5)).append(r.get(i, 6)).append(r.get(i, 7));
    a.append(r.get(i, 12)).append(r.get_optional(i, 11)).append(r.get_optional(i, 10));
    a.append(r.get_int64(i, 8)).append(r.get_optional(i, 9));
    a.end_row();
  }
  a.close();
  out.tasks = r.rows();
}

void pull_results(Connection& local, PgConnection& pg, const std::string& lo, const std::string& hi,
                  PullResult& out) {
  local.execute(
      "CREATE OR REPLACE TEMP TABLE pulled_results AS SELECT * FROM runtime.task_results LIMIT 0");
  std::string after;
  for (;;) {
    const PgResult r = pg.exec(
        "SELECT result_id, task_id, request_id, page_number, records_count, total_records, "
        "total_pages, completed_at::text, superseded_at::text, run_id FROM baliza.task_results "
        "WHERE xid >= $1::xid8 AND xid < $2::xid8 AND result_id > $3 ORDER BY result_id LIMIT " +
            std::to_string(kChunk),
        {lo, hi, after});
    if (r.rows() == 0) return;
    Appender a = local.appender("", "pulled_results");
    for (int i = 0; i < r.rows(); ++i) {
      a.append(r.get(i, 0)).append(r.get(i, 1)).append(r.get(i, 2)).append(r.get_int64(i, 3));
      a.append(r.get_int64(i, 4)).append(opt_int(r, i, 5)).append(opt_int(r, i, 6));
      a.append(r.get(i, 7)).append(r.get_optional(i, 8)).append(r.get_optional(i, 9));
      a.end_row();
    }
    a.close();
    out.results += r.rows();
    after = r.get(r.rows() - 1, 0);
  }
}

void pull_failures(Connection& local, PgConnection& pg, const std::string& lo,
                   const std::string& hi, PullResult& out) {
  const PgResult r = pg.exec(
      "SELECT request_id, task_id, endpoint, url, page, http_status, error_class, "
      "error_message, attempts, failed_at::text, resolved_at::text FROM baliza.failed_requests "
      "WHERE xid >= $1::xid8 AND xid < $2::xid8",
      {lo, hi});
  local.execute(
      "CREATE OR REPLACE TEMP TABLE pulled_failures AS SELECT * FROM meta.failed_requests LIMIT "
      "0");
  Appender a = local.appender("", "pulled_failures");
  for (int i = 0; i < r.rows(); ++i) {
    a.append(r.get(i, 0)).append(r.get_optional(i, 1)).append(r.get(i, 2)).append(r.get(i, 3));
    a.append(opt_int(r, i, 4)).append(opt_int(r, i, 5)).append(r.get(i, 6));
    a.append(r.get_optional(i, 7)).append(r.get_int64(i, 8)).append(r.get(i, 9));
    a.append(r.get_optional(i, 10));
    a.end_row();
  }
  a.close();
  out.failures = r.rows();
}

// Small insert-only tables, as INSERT statements run with the watermark.
// Row `i` of `r` as a parenthesised list of SQL literals (NULL where null).
std::string literal_row(const PgResult& r, int i, int columns) {
  std::string out = "(";
  for (int c = 0; c < columns; ++c) {
    out += c ? ", " : "";
    out += r.is_null(i, c) ? std::string("NULL") : quote_literal(r.get(i, c));
  }
  return out + ")";
}

std::vector<std::string> pull_events(PgConnection& pg, const std::string& lo,
                                     const std::string& hi) {
  std::vector<std::string> sql;
  auto lit = [&](const PgResult& r, int i, int c) {
    return r.is_null(i, c) ? std::string("NULL") : quote_literal(r.get(i, c));
  };
  const PgResult shifts = pg.exec(
      "SELECT run_id, task_id, endpoint, page, total_before, total_after, detected_at::text "
      "FROM baliza.data_shifts WHERE xid >= $1::xid8 AND xid < $2::xid8",
      {lo, hi});
  for (int i = 0; i < shifts.rows(); ++i) {
    sql.push_back("INSERT INTO meta.data_shifts VALUES " + literal_row(shifts, i, 7));
  }
  const PgResult events = pg.exec(
      "SELECT run_id, endpoint, from_state, to_state, occurred_at::text FROM "
      "baliza.circuit_events WHERE xid >= $1::xid8 AND xid < $2::xid8",
      {lo, hi});
  for (int i = 0; i < events.rows(); ++i) {
    sql.push_back("INSERT INTO meta.circuit_events VALUES " + literal_row(events, i, 5));
  }
  const PgResult versions = pg.exec(
      "SELECT endpoint, fingerprint, structure, first_seen_at::text, first_request_id, changes "
      "FROM baliza.schema_versions WHERE xid >= $1::xid8 AND xid < $2::xid8",
      {lo, hi});
  for (int i = 0; i < versions.rows(); ++i) {
    sql.push_back(
        "INSERT INTO meta.schema_versions (endpoint, fingerprint, structure, first_seen_at, "
        "first_request_id, changes) VALUES " +
        literal_row(versions, i, 6) + " ON CONFLICT DO NOTHING");
  }
  const PgResult checks = pg.exec(
      "SELECT run_id, task_id, endpoint, total_records, total_after, outcome, checked_at::text "
      "FROM baliza.completeness_checks WHERE xid >= $1::xid8 AND xid < $2::xid8",
      {lo, hi});
  for (int i = 0; i < checks.rows(); ++i) {
    sql.push_back("INSERT INTO meta.completeness_checks VALUES " + literal_row(checks, i, 7));
  }
  const PgResult runs = pg.exec(
      "SELECT run_id, command, status, message, started_at::text, finished_at::text, "
      "'worker ' || worker_id || coalesce(' ' || details, '') FROM baliza.execution_log WHERE "
      "xid >= $1::xid8 AND xid < $2::xid8",
      {lo, hi});
  for (int i = 0; i < runs.rows(); ++i) {
    sql.push_back("DELETE FROM meta.execution_log WHERE run_id = " + lit(runs, i, 0) +
                  " AND stage = 'extract'");
    sql.push_back(
        "INSERT INTO meta.execution_log (run_id, command, stage, status, message, started_at, "
        "finished_at, details) VALUES (" +
        lit(runs, i, 0) + ", " + lit(runs, i, 1) + ", 'extract', " + lit(runs, i, 2) + ", " +
        lit(runs, i, 3) + ", " + lit(runs, i, 4) + ", " + lit(runs, i, 5) + ", " + lit(runs, i, 6) +
        ")");
  }
  return sql;
}

void snapshot_workers(Connection& local, PgConnection& pg) {
  const PgResult w = pg.exec(
      "SELECT w.worker_id, w.host, w.pid, w.status, w.started_at::timestamp::text, "
      "w.last_seen::timestamp::text, (SELECT count(*) FROM baliza.api_requests r WHERE "
      "r.worker_id = w.worker_id), (SELECT count(*) FROM baliza.api_requests r WHERE "
      "r.worker_id = w.worker_id AND r.collected_at > (now() AT TIME ZONE 'UTC') - interval "
      "'1 minute'), (SELECT count(*) FROM baliza.task_claims c WHERE c.worker_id = w.worker_id "
      "AND c.status = 'active') FROM baliza.workers w");
  local.execute("DELETE FROM meta.coordinator_workers");
  Appender a = local.appender("meta", "coordinator_workers");
  const std::string now = utc_timestamp_now();
  for (int i = 0; i < w.rows(); ++i) {
    a.append(w.get(i, 0)).append(w.get(i, 1)).append(w.get_int64(i, 2)).append(w.get(i, 3));
    a.append(w.get(i, 4)).append(w.get(i, 5)).append(w.get_int64(i, 6));
    a.append(w.get_int64(i, 7)).append(w.get_int64(i, 8)).append(now);
    a.end_row();
  }
  a.close();
}

}  // namespace

PullResult pull_from_coordinator(Connection& local, PgConnection& pg,
                                 const std::atomic<int>* interrupts) {
  PullResult out;
  local.execute(kLocalTables);
  const std::string key = redact_url(pg.url());
  const std::string lo =
      local
          .scalar("SELECT watermark FROM meta.coordinator_pulls WHERE coordinator = " +
                  quote_literal(key))
          .value_or("0");
  pg.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const std::string hi =
        pg.exec("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").get(0, 0);
    out.watermark = hi;
    bool go_on = pull_pages(local, pg, lo, hi, out, interrupts);
    if (go_on && !interrupted(interrupts)) pull_tasks(local, pg, lo, hi, out);
    if (go_on && !interrupted(interrupts)) pull_results(local, pg, lo, hi, out);
    if (go_on && !interrupted(interrupts)) pull_failures(local, pg, lo, hi, out);
    if (!go_on || interrupted(interrupts)) {
      // Only the page chunks were written; the statuses, results and watermark were not.
      pg.exec("ROLLBACK");
      PullResult stopped;
      stopped.requests = out.requests;
      stopped.payloads_new = out.payloads_new;
      stopped.interrupted = true;
      return stopped;
    }
    const std::vector<std::string> events = pull_events(pg, lo, hi);
    local.transaction([&] {
      local.execute(
          "DELETE FROM planning.task_plan WHERE task_id IN (SELECT task_id FROM pulled_tasks)");
      local.execute("INSERT INTO planning.task_plan SELECT * FROM pulled_tasks");
      local.execute(
          "DELETE FROM runtime.task_results WHERE result_id IN (SELECT result_id FROM "
          "pulled_results)");
      local.execute("INSERT INTO runtime.task_results SELECT * FROM pulled_results");
      local.execute(
          "DELETE FROM meta.failed_requests WHERE request_id IN (SELECT request_id FROM "
          "pulled_failures)");
      local.execute("INSERT INTO meta.failed_requests SELECT * FROM pulled_failures");
      for (const std::string& s : events) local.execute(s);
      // One current result per task page: the first stored wins.
      Result dup = local.query(
          "UPDATE runtime.task_results SET superseded_at = completed_at WHERE result_id IN "
          "(SELECT result_id FROM (SELECT result_id, row_number() OVER (PARTITION BY task_id, "
          "page_number ORDER BY completed_at, result_id) AS n FROM runtime.task_results WHERE "
          "superseded_at IS NULL AND task_id IN (SELECT task_id FROM pulled_results)) WHERE n > "
          "1)");
      out.duplicates_superseded = static_cast<std::int64_t>(dup.rows_changed());
      snapshot_workers(local, pg);
      local.prepare("INSERT OR REPLACE INTO meta.coordinator_pulls VALUES ($1, $2, $3::TIMESTAMP)")
          .bind(1, key)
          .bind(2, hi)
          .bind(3, utc_timestamp_now())
          .execute();
    });
    pg.exec("COMMIT");
  } catch (...) {
    try {
      pg.exec("ROLLBACK");
    } catch (const Error&) {
    }
    throw;
  }
  return out;
}

std::string describe_pull(const PullResult& r) {
  if (r.interrupted) {
    return "interrupted: " + std::to_string(r.requests) + " request(s) (" +
           std::to_string(r.payloads_new) +
           " new page bodies) copied; task statuses, results and failures were not; run baliza "
           "pull again to copy the rest\n";
  }
  std::string s = "pulled from the coordinator: " + std::to_string(r.requests) + " request(s) (" +
                  std::to_string(r.payloads_new) + " new page bodies), " +
                  std::to_string(r.results) + " result row(s), " + std::to_string(r.tasks) +
                  " task status(es), " + std::to_string(r.failures) + " failed request(s)";
  if (r.duplicates_superseded > 0) {
    s += "; " + std::to_string(r.duplicates_superseded) +
         " page(s) stored twice by workers kept once (the other superseded)";
  }
  return s + "\n";
}

}  // namespace baliza::coord
