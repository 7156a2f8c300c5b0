#include "coord/pg_claim_store.h"

#include <unistd.h>

#include "coord/claim_fence.h"
#include "coord/pg_writer.h"
#include "core/clock.h"

namespace baliza::coord {
namespace {

std::string text_array(const std::vector<std::string>& values) {
  std::string a = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::string v;
    for (char ch : values[i]) {
      if (ch == '"' || ch == '\\') v += '\\';
      v += ch;
    }
    a += (i ? ",\"" : "\"") + v + "\"";
  }
  return a + "}";
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// Reaps expired claims: their tasks go back to pending. Returns how many claims. One reaper
// at a time (the others skip: the next claim reaps), rows locked in claim_id order, so that
// concurrent reapers and renewals never deadlock. A claim row a late write is checking
// (claim_fence.h: share-locked) is skipped: it is reaped by a later claim, never waited for
// (a stopped worker's open transaction must not stall every other worker).
int reap(PgConnection& c) {
  if (c.exec("SELECT pg_try_advisory_xact_lock(7355609)").get(0, 0) != "t") return 0;
  const PgResult r = c.exec(
      "WITH doomed AS (SELECT claim_id FROM baliza.task_claims WHERE status = 'active' AND "
      "expires_at < now() ORDER BY claim_id FOR UPDATE SKIP LOCKED), "
      "expired AS (UPDATE baliza.task_claims k SET status = 'expired', ended_at = now() FROM "
      "doomed d WHERE k.claim_id = d.claim_id RETURNING k.task_id), "
      "back AS (UPDATE baliza.task_plan t SET status = 'pending', updated_at = now(), xid = "
      "pg_current_xact_id() FROM expired e WHERE t.task_id = e.task_id AND t.status = "
      "'claimed' RETURNING t.task_id) SELECT (SELECT count(*) FROM expired)");
  return static_cast<int>(r.get_int64(0, 0));
}

void renew_claims(PgConnection& c, const std::string& worker_id, std::chrono::seconds ttl) {
  c.exec(
      "WITH mine AS (SELECT claim_id FROM baliza.task_claims WHERE worker_id = $1 AND status = "
      "'active' ORDER BY claim_id FOR UPDATE SKIP LOCKED) UPDATE baliza.task_claims k SET "
      "expires_at = "
      "now() + make_interval(secs => $2) FROM mine m WHERE k.claim_id = m.claim_id",
      {worker_id, static_cast<std::int64_t>(ttl.count())});
  c.exec("UPDATE baliza.workers SET last_seen = now() WHERE worker_id = $1", {worker_id});
}

}  // namespace

std::string pg_scope_sql(const extract::ClaimScope& scope, std::vector<PgParam>& params) {
  auto param = [&](PgParam p) {
    params.push_back(std::move(p));
    std::string ref = "$";  // (operator+ on a literal here trips GCC 12's -Wrestrict)
    ref += std::to_string(params.size());
    return ref;
  };
  std::string sql = "t.removed_at IS NULL";
  if (!scope.last_date.empty()) sql += " AND t.data_date <= " + param(scope.last_date) + "::date";
  if (!scope.first_date.empty()) {
    sql += " AND coalesce(t.window_end, t.data_date) >= " + param(scope.first_date) + "::date";
  }
  if (!scope.endpoints.empty()) {
    sql += " AND t.endpoint_name = ANY(" + param(text_array(scope.endpoints)) + "::text[])";
  }
  if (!scope.task_ids.empty()) {
    sql += " AND t.task_id = ANY(" + param(text_array(scope.task_ids)) + "::text[])";
  }
  return sql;
}

PgClaimStore::PgClaimStore(const std::string& url, PgWriter& writer, std::chrono::seconds patience,
                           ClaimFence* fence)
    : url_(url),
      writer_(writer),
      patience_(patience),
      fence_(fence),
      conn_(std::make_unique<PgConnection>(url)) {}

void PgClaimStore::with_conn(const std::function<void(PgConnection&)>& unit) {
  run_with_reconnect(conn_, url_, patience_, [&] { unit(*conn_); });
}

int PgClaimStore::start_worker(const std::string& worker_id) {
  with_conn([&](PgConnection& c) {
    c.exec(
        "INSERT INTO baliza.workers (worker_id, host, pid, started_at, last_seen, status) "
        "VALUES ($1, $2, $3, now(), now(), 'running') ON CONFLICT (worker_id) DO UPDATE SET "
        "host = EXCLUDED.host, pid = EXCLUDED.pid, started_at = now(), last_seen = now(), "
        "status = 'running'",
        {worker_id, host_name(), static_cast<std::int64_t>(getpid())});
  });
  // Other workers may be alive on other machines: their claims are left to expire.
  return 0;
}

void PgClaimStore::stop_worker(const std::string& worker_id) {
  with_conn([&](PgConnection& c) {
    c.exec("UPDATE baliza.workers SET status = 'stopped', last_seen = now() WHERE worker_id = $1",
           {worker_id});
  });
}

std::vector<extract::ClaimedTask> PgClaimStore::claim(const std::string& worker_id, int n,
                                                      std::chrono::seconds ttl,
                                                      const extract::ClaimScope& scope) {
  std::vector<extract::ClaimedTask> claimed;
  writer_.throw_if_lost();  // pages could not be stored: stop rather than fetch more
  if (n <= 0) return claimed;
  // Claim ids are `<token>:<task_id>`, the token made here once: when the connection drops
  // during COMMIT, the retry first looks for the claims that COMMIT made (else they would sit
  // unused until they expire).
  const std::string token = random_id();
  int attempt = 0;
  const std::string columns =
      "k.task_id, k.endpoint_name, k.data_date::text, k.modalidade, k.params, k.attempts";
  auto read = [&](const PgResult& r) {
    for (int i = 0; i < r.rows(); ++i) {
      extract::ClaimedTask t;
      t.claim_id = r.get(i, 0);
      t.task_id = r.get(i, 1);
      t.endpoint = r.get(i, 2);
      t.data_date = r.get(i, 3);
      if (!r.is_null(i, 4)) t.modalidade = static_cast<int>(r.get_int64(i, 4));
      t.params = r.get(i, 5);
      t.attempts = static_cast<int>(r.get_int64(i, 6));
      claimed.push_back(std::move(t));
    }
  };
  with_conn([&](PgConnection& c) {
    claimed.clear();
    if (++attempt > 1) {
      read(c.exec("SELECT m.claim_id, " + columns +
                      " FROM baliza.task_claims m JOIN baliza.task_plan k USING (task_id) WHERE "
                      "m.claim_id LIKE $1 AND m.status = 'active' ORDER BY k.data_date, k.task_id",
                  {token + ":%"}));
      if (!claimed.empty()) return;
    }
    c.transaction([&] {
      renew_claims(c, worker_id, ttl);
      reap(c);
      std::vector<PgParam> params{worker_id, std::int64_t{n},
                                  static_cast<std::int64_t>(ttl.count()), token + ":"};
      const std::string where = pg_scope_sql(scope, params);
      const PgResult r = c.exec(
          "WITH picked AS (SELECT t.task_id FROM baliza.task_plan t WHERE t.status = 'pending' "
          "AND " +
              where +
              " ORDER BY t.data_date, t.task_id LIMIT $2 FOR UPDATE SKIP LOCKED), "
              "taken AS (UPDATE baliza.task_plan t SET status = 'claimed', attempts = t.attempts "
              "+ 1, updated_at = now(), xid = pg_current_xact_id() FROM picked p WHERE t.task_id "
              "= p.task_id RETURNING t.task_id, t.endpoint_name, t.data_date, t.modalidade, "
              "t.params, t.attempts), "
              "made AS (INSERT INTO baliza.task_claims (claim_id, task_id, worker_id, "
              "claimed_at, expires_at, status) SELECT $4 || task_id, task_id, $1, "
              "now(), now() + make_interval(secs => $3), 'active' FROM taken RETURNING "
              "claim_id, task_id) "
              "SELECT m.claim_id, k.task_id, k.endpoint_name, k.data_date::text, k.modalidade, "
              "k.params, k.attempts FROM taken k JOIN made m USING (task_id) ORDER BY "
              "k.data_date, k.task_id",
          params);
      read(r);
    });
  });
  if (fence_) {
    for (const extract::ClaimedTask& t : claimed) fence_->hold(t.task_id, t.claim_id);
  }
  return claimed;
}

void PgClaimStore::renew(const std::string& worker_id, std::chrono::seconds ttl) {
  writer_.throw_if_lost();
  with_conn([&](PgConnection& c) { renew_claims(c, worker_id, ttl); });
}

int PgClaimStore::reap_expired() {
  int n = 0;
  with_conn([&](PgConnection& c) { c.transaction([&] { n = reap(c); }); });
  return n;
}

void PgClaimStore::finish(const extract::ClaimedTask& task, extract::TaskEnd end,
                          const std::string& detail, const std::string& /*run_id*/) {
  const std::string status = extract::task_end_status(end);
  const std::string claim_status = end == extract::TaskEnd::kReleased ? "released" : status;
  writer_.enqueue([task, status, claim_status, detail](PgConnection& c) {
    c.exec(
        "WITH ended AS (UPDATE baliza.task_claims SET status = $2, ended_at = now() WHERE "
        "claim_id = $1 AND status = 'active' AND expires_at > clock_timestamp() RETURNING "
        "task_id) UPDATE baliza.task_plan t SET "
        "status = $3, last_error = CASE WHEN $3 IN ('done', 'pending') THEN t.last_error ELSE "
        "$4 END, updated_at = now(), xid = pg_current_xact_id() FROM ended e WHERE t.task_id = "
        "e.task_id",
        {task.claim_id, claim_status, status, detail});
  });
  // Writes queued from here on for this task are not made under this claim.
  if (fence_) fence_->release(task.task_id, task.claim_id);
}

std::int64_t PgClaimStore::count_pending(const extract::ClaimScope& scope) {
  std::int64_t n = 0;
  with_conn([&](PgConnection& c) {
    std::vector<PgParam> params;
    const std::string where = pg_scope_sql(scope, params);
    n = c.exec("SELECT count(*) FROM baliza.task_plan t WHERE t.status = 'pending' AND " + where,
               params)
            .get_int64(0, 0);
  });
  return n;
}

std::pair<std::int64_t, double> PgClaimStore::claimed_elsewhere(const extract::ClaimScope& scope) {
  std::pair<std::int64_t, double> out{0, 0};
  with_conn([&](PgConnection& c) {
    std::vector<PgParam> params;
    const std::string where = pg_scope_sql(scope, params);
    const PgResult r = c.exec(
        "SELECT count(DISTINCT t.task_id), coalesce(extract(epoch FROM min(k.expires_at) - "
        "now()), 0) FROM baliza.task_plan t JOIN baliza.task_claims k ON k.task_id = t.task_id "
        "AND k.status = 'active' WHERE t.status = 'claimed' AND " +
            where,
        params);
    out = {r.get_int64(0, 0), std::stod(r.get(0, 1).empty() ? "0" : r.get(0, 1))};
  });
  return out;
}

}  // namespace baliza::coord
