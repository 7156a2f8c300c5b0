#include "extract/claim_store.h"

#include "core/clock.h"
#include "core/error.h"
#include "extract/writer.h"

namespace baliza::extract {

const char* task_end_status(TaskEnd end) {
  switch (end) {
    case TaskEnd::kDone:
      return "done";
    case TaskEnd::kFailed:
      return "failed";
    case TaskEnd::kPartial:
      return "partial";
    case TaskEnd::kReleased:
      return "pending";
  }
  return "pending";
}

namespace {

const char* claim_end_status(TaskEnd end) {
  return end == TaskEnd::kReleased ? "released" : task_end_status(end);
}

const char* task_end_event(TaskEnd end) {
  return end == TaskEnd::kReleased ? "released" : task_end_status(end);
}

std::string in_list(const std::vector<std::string>& values) {
  std::string sql = "(";
  for (size_t i = 0; i < values.size(); ++i) sql += (i ? ", " : "") + quote_literal(values[i]);
  return sql + ")";
}

// Ends the active claims matching `condition` as `label` and puts their tasks back to pending,
// with an event. Returns how many claims were ended. Runs inside the caller's transaction.
int end_claims(Connection& conn, const std::string& condition, const std::string& label,
               const std::string& now) {
  conn.execute(
      "CREATE OR REPLACE TEMP TABLE claims_ended AS SELECT claim_id, task_id, worker_id FROM "
      "runtime.task_claims WHERE status = 'active' AND (" +
      condition + ")");
  const int n = std::stoi(conn.scalar("SELECT count(*) FROM claims_ended").value_or("0"));
  if (n > 0) {
    conn.prepare(
            "UPDATE runtime.task_claims SET status = $1 WHERE claim_id IN "
            "(SELECT claim_id FROM claims_ended)")
        .bind(1, label)
        .execute();
    conn.prepare(
            "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, "
            "occurred_at) SELECT e.task_id, 'reaped', 'pending', NULL, $1 || ' claim of ' || "
            "e.worker_id, $2::TIMESTAMP FROM claims_ended e JOIN planning.task_plan t USING "
            "(task_id) WHERE t.status = 'claimed'")
        .bind(1, label)
        .bind(2, now)
        .execute();
    conn.prepare(
            "UPDATE planning.task_plan SET status = 'pending', updated_at = $1::TIMESTAMP "
            "WHERE status = 'claimed' AND task_id IN (SELECT task_id FROM claims_ended)")
        .bind(1, now)
        .execute();
  }
  conn.execute("DROP TABLE claims_ended");
  return n;
}

void renew_claims(Connection& conn, const std::string& worker_id, std::chrono::seconds ttl,
                  const std::string& now) {
  conn.prepare(
          "UPDATE runtime.task_claims SET expires_at = $1::TIMESTAMP + to_seconds($2) "
          "WHERE worker_id = $3 AND status = 'active'")
      .bind(1, now)
      .bind(2, static_cast<int64_t>(ttl.count()))
      .bind(3, worker_id)
      .execute();
}

}  // namespace

std::string claim_scope_sql(const ClaimScope& scope) {
  std::string sql = "t.removed_at IS NULL";
  if (!scope.last_date.empty()) {
    sql += " AND t.data_date <= DATE " + quote_literal(scope.last_date);
  }
  if (!scope.first_date.empty()) {
    sql += " AND coalesce(t.window_end, t.data_date) >= DATE " + quote_literal(scope.first_date);
  }
  if (!scope.endpoints.empty()) sql += " AND t.endpoint_name IN " + in_list(scope.endpoints);
  if (!scope.task_ids.empty()) sql += " AND t.task_id IN " + in_list(scope.task_ids);
  return sql;
}

int DuckDbClaimStore::start_worker(const std::string& worker_id) {
  return writer_.call([&](Connection& conn) {
    int n = 0;
    const std::string now = utc_timestamp_now();
    conn.transaction([&] {
      // DuckDB lets one process write the file, and we are it: any other worker's claim is
      // left over from a process that died (kill -9, power loss), whatever its expiry says.
      n = end_claims(conn, "worker_id <> " + quote_literal(worker_id), "orphaned", now);
      // Tasks marked claimed without any active claim (a hand-edited or very old database).
      conn.prepare(
              "UPDATE planning.task_plan SET status = 'pending', updated_at = $1::TIMESTAMP "
              "WHERE status = 'claimed' AND task_id NOT IN "
              "(SELECT task_id FROM runtime.task_claims WHERE status = 'active')")
          .bind(1, now)
          .execute();
    });
    return n;
  });
}

std::vector<ClaimedTask> DuckDbClaimStore::claim(const std::string& worker_id, int n,
                                                 std::chrono::seconds ttl,
                                                 const ClaimScope& scope) {
  if (n <= 0) return {};
  return writer_.call([&](Connection& conn) {
    std::vector<ClaimedTask> claimed;
    const std::string now = utc_timestamp_now();
    conn.transaction([&] {
      renew_claims(conn, worker_id, ttl, now);
      end_claims(conn, "expires_at < " + quote_literal(now) + "::TIMESTAMP", "expired", now);
      conn.execute(
          "CREATE OR REPLACE TEMP TABLE claim_pick AS SELECT t.task_id, "
          "gen_random_uuid()::VARCHAR AS claim_id FROM planning.task_plan t "
          "WHERE t.status = 'pending' AND " +
          claim_scope_sql(scope) +
          " ORDER BY t.data_date, t.endpoint_name, t.modalidade, t.task_id LIMIT " +
          std::to_string(n));
      conn.prepare(
              "INSERT INTO runtime.task_claims (claim_id, task_id, worker_id, claimed_at, "
              "expires_at, status) SELECT claim_id, task_id, $1, $2::TIMESTAMP, "
              "$2::TIMESTAMP + to_seconds($3), 'active' FROM claim_pick")
          .bind(1, worker_id)
          .bind(2, now)
          .bind(3, static_cast<int64_t>(ttl.count()))
          .execute();
      conn.prepare(
              "UPDATE planning.task_plan SET status = 'claimed', attempts = coalesce(attempts, "
              "0) + 1, updated_at = $1::TIMESTAMP WHERE task_id IN (SELECT task_id FROM "
              "claim_pick)")
          .bind(1, now)
          .execute();
      conn.prepare(
              "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, "
              "occurred_at) SELECT task_id, 'claimed', 'claimed', NULL, 'worker ' || $1, "
              "$2::TIMESTAMP FROM claim_pick")
          .bind(1, worker_id)
          .bind(2, now)
          .execute();
      Result r = conn.query(
          "SELECT p.claim_id, t.task_id, t.endpoint_name, CAST(t.data_date AS VARCHAR), "
          "t.modalidade, t.params, t.attempts FROM claim_pick p JOIN planning.task_plan t "
          "USING (task_id) ORDER BY t.data_date, t.endpoint_name, t.modalidade, t.task_id");
      for (size_t i = 0; i < r.row_count(); ++i) {
        ClaimedTask c;
        c.claim_id = r.get_string(0, i);
        c.task_id = r.get_string(1, i);
        c.endpoint = r.get_string(2, i);
        c.data_date = r.get_string(3, i);
        if (!r.is_null(4, i)) c.modalidade = static_cast<int>(r.get_int64(4, i));
        c.params = r.get_string(5, i);
        c.attempts = static_cast<int>(r.get_int64(6, i));
        claimed.push_back(std::move(c));
      }
      conn.execute("DROP TABLE claim_pick");
    });
    return claimed;
  });
}

void DuckDbClaimStore::renew(const std::string& worker_id, std::chrono::seconds ttl) {
  writer_.call([&](Connection& conn) { renew_claims(conn, worker_id, ttl, utc_timestamp_now()); });
}

int DuckDbClaimStore::reap_expired() {
  return writer_.call([&](Connection& conn) {
    int n = 0;
    const std::string now = utc_timestamp_now();
    conn.transaction([&] {
      n = end_claims(conn, "expires_at < " + quote_literal(now) + "::TIMESTAMP", "expired", now);
    });
    return n;
  });
}

void DuckDbClaimStore::finish(const ClaimedTask& task, TaskEnd end, const std::string& detail,
                              const std::string& run_id) {
  const std::string status = task_end_status(end);
  const std::string claim_status = claim_end_status(end);
  const std::string event = task_end_event(end);
  const std::optional<std::string> error =
      end == TaskEnd::kDone || detail.empty() ? std::nullopt : std::optional<std::string>(detail);
  writer_.enqueue([=, task_id = task.task_id, claim_id = task.claim_id](Connection& conn) {
    const std::string now = utc_timestamp_now();
    conn.prepare(
            "UPDATE planning.task_plan SET status = $1, last_error = $2, updated_at = "
            "$3::TIMESTAMP WHERE task_id = $4 AND status = 'claimed'")
        .bind(1, status)
        .bind(2, error)
        .bind(3, now)
        .bind(4, task_id)
        .execute();
    conn.prepare("UPDATE runtime.task_claims SET status = $1 WHERE claim_id = $2")
        .bind(1, claim_status)
        .bind(2, claim_id)
        .execute();
    conn.prepare(
            "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, "
            "occurred_at) VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMP)")
        .bind(1, task_id)
        .bind(2, event)
        .bind(3, status)
        .bind(4, run_id)
        .bind(5, detail)
        .bind(6, now)
        .execute();
  });
}

std::int64_t DuckDbClaimStore::count_pending(const ClaimScope& scope) {
  return writer_.call([&](Connection& conn) {
    return std::stoll(conn.scalar("SELECT count(*) FROM planning.task_plan t WHERE t.status = "
                                  "'pending' AND " +
                                  claim_scope_sql(scope))
                          .value_or("0"));
  });
}

}  // namespace baliza::extract
