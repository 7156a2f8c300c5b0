#include "extract/duckdb_claim_store.h"

#include "core/clock.h"
#include "core/error.h"

namespace baliza::extract {

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
      const std::string expired = "expires_at < " + quote_literal(now) + "::TIMESTAMP";
      if (conn.scalar("SELECT count(*) FROM runtime.task_claims WHERE status = 'active' AND " +
                      expired) != "0") {
        end_claims(conn, expired, "expired", now);
      }
      // Claims made now by this worker are told apart by claimed_at = now (one transaction,
      // one writer): no temporary table, no DDL on the hot path.
      conn.prepare(
              "INSERT INTO runtime.task_claims (claim_id, task_id, worker_id, claimed_at, "
              "expires_at, status) SELECT gen_random_uuid()::VARCHAR, t.task_id, $1, "
              "$2::TIMESTAMP, $2::TIMESTAMP + to_seconds($3), 'active' FROM planning.task_plan t "
              "WHERE t.status = 'pending' AND " +
              claim_scope_sql(scope) +
              " ORDER BY t.data_date, t.endpoint_name, t.modalidade, t.task_id LIMIT " +
              std::to_string(n))
          .bind(1, worker_id)
          .bind(2, now)
          .bind(3, static_cast<int64_t>(ttl.count()))
          .execute();
      const std::string mine =
          "(SELECT task_id FROM runtime.task_claims WHERE worker_id = $1 AND claimed_at = "
          "$2::TIMESTAMP AND status = 'active')";
      conn.prepare(
              "UPDATE planning.task_plan SET status = 'claimed', attempts = coalesce(attempts, "
              "0) + 1, updated_at = $2::TIMESTAMP WHERE task_id IN " +
              mine)
          .bind(1, worker_id)
          .bind(2, now)
          .execute();
      conn.prepare(
              "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, "
              "occurred_at) SELECT task_id, 'claimed', 'claimed', NULL, 'worker ' || $1, "
              "$2::TIMESTAMP FROM " +
              mine + " m")
          .bind(1, worker_id)
          .bind(2, now)
          .execute();
      Result r = conn.prepare(
                         "SELECT c.claim_id, t.task_id, t.endpoint_name, CAST(t.data_date AS "
                         "VARCHAR), t.modalidade, t.params, t.attempts FROM "
                         "runtime.task_claims c JOIN planning.task_plan t USING (task_id) "
                         "WHERE c.worker_id = $1 AND c.claimed_at = $2::TIMESTAMP AND c.status "
                         "= 'active' ORDER BY t.data_date, t.endpoint_name, t.modalidade, "
                         "t.task_id")
                     .bind(1, worker_id)
                     .bind(2, now)
                     .execute();
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

// Task ends waiting for the batch's commit (writer thread only): appended to a staging table
// and applied with three set-based statements per batch instead of three per task.
class DuckDbClaimStore::FinishBuffer final : public BatchBuffer {
 public:
  struct Row {
    std::string task_id, claim_id, status, claim_status, event, run_id, detail, at;
    std::optional<std::string> error;
  };
  void add(Row row) { rows_.push_back(std::move(row)); }

  void flush(Connection& conn) override {
    if (rows_.empty()) return;
    std::vector<Row> rows;
    rows.swap(rows_);
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS finish_stage (seq INTEGER, task_id VARCHAR, claim_id "
        "VARCHAR, status VARCHAR, claim_status VARCHAR, event VARCHAR, run_id VARCHAR, detail "
        "VARCHAR, error VARCHAR, ended_at TIMESTAMP)");
    {
      Appender app = conn.appender("", "finish_stage");
      int64_t seq = 0;
      for (const Row& r : rows) {
        app.append(seq++)
            .append(r.task_id)
            .append(r.claim_id)
            .append(r.status)
            .append(r.claim_status)
            .append(r.event)
            .append(r.run_id)
            .append(r.detail)
            .append(r.error)
            .append(r.at);
        app.end_row();
      }
      app.close();
    }
    // A task ends once per claim, so each task_id appears once per batch.
    conn.execute(
        "UPDATE planning.task_plan t SET status = f.status, last_error = f.error, updated_at = "
        "f.ended_at FROM finish_stage f WHERE t.task_id = f.task_id AND t.status = 'claimed'");
    conn.execute(
        "UPDATE runtime.task_claims c SET status = f.claim_status FROM finish_stage f WHERE "
        "c.claim_id = f.claim_id");
    conn.execute(
        "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, occurred_at) "
        "SELECT task_id, event, status, run_id, detail, ended_at FROM finish_stage ORDER BY seq");
    conn.execute("DELETE FROM finish_stage");
  }

  void discard() override { rows_.clear(); }

 private:
  std::vector<Row> rows_;
};

DuckDbClaimStore::DuckDbClaimStore(Writer& writer)
    : writer_(writer), finishes_(std::make_shared<FinishBuffer>()) {
  writer_.add_buffer(finishes_);
}

void DuckDbClaimStore::finish(const ClaimedTask& task, TaskEnd end, const std::string& detail,
                              const std::string& run_id) {
  FinishBuffer::Row row;
  row.task_id = task.task_id;
  row.claim_id = task.claim_id;
  row.status = task_end_status(end);
  row.claim_status = claim_end_status(end);
  row.event = task_end_event(end);
  row.run_id = run_id;
  row.detail = detail;
  if (end != TaskEnd::kDone && !detail.empty()) row.error = detail;
  writer_.enqueue([b = finishes_, row = std::move(row)](Connection&) {
    FinishBuffer::Row copy = row;  // the item may be replayed: keep it intact
    copy.at = utc_timestamp_now();
    b->add(std::move(copy));
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
