#include "plan/plan_store.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"

namespace baliza::plan {
namespace {

// The stored tasks a plan of `scope` speaks for: windows that intersect the range, of the
// selected endpoints (all of them when none is selected).
std::string scope_condition(const PlanScope& scope, const std::string& alias) {
  std::string sql = alias + ".data_date <= DATE " + quote_literal(iso_date(scope.range.last)) +
                    " AND coalesce(" + alias + ".window_end, " + alias + ".data_date) >= DATE " +
                    quote_literal(iso_date(scope.range.first));
  if (!scope.endpoints.empty()) {
    sql += " AND " + alias + ".endpoint_name IN (";
    for (size_t i = 0; i < scope.endpoints.size(); ++i) {
      sql += (i ? ", " : "") + quote_literal(scope.endpoints[i]);
    }
    sql += ")";
  }
  if (!scope.exclude.empty()) {
    sql += " AND " + alias + ".endpoint_name NOT IN (";
    for (size_t i = 0; i < scope.exclude.size(); ++i) {
      sql += (i ? ", " : "") + quote_literal(scope.exclude[i]);
    }
    sql += ")";
  }
  return sql;
}

void stage_tasks(Connection& conn, const Plan& plan) {
  conn.execute(
      "CREATE OR REPLACE TEMP TABLE plan_incoming (task_id VARCHAR, endpoint_name VARCHAR, "
      "data_date DATE, window_end DATE, modalidade INTEGER, params VARCHAR)");
  Appender app = conn.appender("", "plan_incoming");
  for (const Task& t : plan.tasks) {
    app.append(t.task_id)
        .append(t.endpoint_name)
        .append(iso_date(t.data_date))
        .append(iso_date(t.window_end))
        .append(t.modalidade)
        .append(t.params);
    app.end_row();
  }
  app.close();
}

void classify_changes(Connection& conn, const PlanScope& scope) {
  conn.execute(
      "CREATE OR REPLACE TEMP TABLE plan_changes AS "
      "SELECT coalesce(n.task_id, t.task_id) AS task_id, "
      "       coalesce(n.endpoint_name, t.endpoint_name) AS endpoint_name, "
      "       coalesce(n.data_date, t.data_date) AS data_date, "
      "       coalesce(n.params, t.params) AS params, "
      "       CASE WHEN t.task_id IS NULL THEN 'added' "
      "            WHEN n.task_id IS NULL THEN "
      "              CASE WHEN t.removed_at IS NULL THEN 'removed' ELSE 'gone' END "
      "            WHEN t.removed_at IS NOT NULL THEN 'restored' "
      "            ELSE 'unchanged' END AS change "
      "FROM plan_incoming n FULL OUTER JOIN "
      "  (SELECT task_id, endpoint_name, data_date, params, removed_at "
      "   FROM planning.task_plan t WHERE " +
      scope_condition(scope, "t") + ") t USING (task_id)");
}

void write_changes(Connection& conn, const std::string& fingerprint, const std::string& run_id,
                   const std::string& now) {
  // Events first, so they can say what each task was before the change.
  conn.prepare(
          "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, occurred_at) "
          "SELECT c.task_id, CASE c.change WHEN 'added' THEN 'planned' ELSE c.change END, "
          "CASE WHEN c.change = 'added' THEN 'pending' "
          "     WHEN t.status = 'done' THEN 'done' "
          "     WHEN c.change = 'removed' THEN 'removed' ELSE 'pending' END, "
          "$1, 'plan ' || $2 || CASE WHEN t.status IS NULL THEN '' "
          "ELSE ' (was ' || t.status || ')' END, $3::TIMESTAMP "
          "FROM plan_changes c LEFT JOIN planning.task_plan t USING (task_id) "
          "WHERE c.change IN ('added', 'removed', 'restored')")
      .bind(1, run_id)
      .bind(2, fingerprint.substr(0, 12))
      .bind(3, now)
      .execute();
  conn.prepare(
          "INSERT INTO planning.task_plan (task_id, endpoint_name, data_date, window_end, "
          "modalidade, params, status, plan_fingerprint, created_at, attempts) "
          "SELECT n.task_id, n.endpoint_name, n.data_date, n.window_end, n.modalidade, n.params, "
          "'pending', $1, $2::TIMESTAMP, 0 "
          "FROM plan_incoming n JOIN plan_changes c USING (task_id) WHERE c.change = 'added'")
      .bind(1, fingerprint)
      .bind(2, now)
      .execute();
  conn.prepare(
          "UPDATE planning.task_plan SET removed_at = $1::TIMESTAMP, updated_at = $1::TIMESTAMP, "
          "status = CASE WHEN status = 'done' THEN status ELSE 'removed' END "
          "WHERE task_id IN (SELECT task_id FROM plan_changes WHERE change = 'removed')")
      .bind(1, now)
      .execute();
  conn.prepare(
          "UPDATE planning.task_plan SET removed_at = NULL, updated_at = $1::TIMESTAMP, "
          "status = CASE WHEN status = 'removed' THEN 'pending' ELSE status END "
          "WHERE task_id IN (SELECT task_id FROM plan_changes WHERE change = 'restored')")
      .bind(1, now)
      .execute();
}

std::string plan_endpoint_counts_json(const Plan& plan) {
  std::map<std::string, size_t> counts;
  for (const Task& t : plan.tasks) ++counts[t.endpoint_name];
  std::string json = "{";
  for (const auto& [name, n] : counts) {
    if (json.size() > 1) json += ",";
    append_json_string(json, name);
    json += ':';
    json += std::to_string(n);
  }
  return json + "}";
}

void write_meta(Connection& conn, const EndpointsConfig& config, const Plan& plan,
                const PlanScope& scope, const PlanApplyResult& r, const std::string& run_id,
                const std::string& now) {
  conn.prepare(
          "INSERT INTO planning.task_plan_meta (plan_fingerprint, config_text, task_count, "
          "endpoints, created_at) VALUES ($1, $2, $3, $4, $5::TIMESTAMP) "
          "ON CONFLICT (plan_fingerprint) DO UPDATE SET task_count = excluded.task_count, "
          "endpoints = excluded.endpoints")
      .bind(1, plan.fingerprint)
      .bind(2, normalized_text(config))
      .bind(3, static_cast<int64_t>(plan.tasks.size()))
      .bind(4, plan_endpoint_counts_json(plan))
      .bind(5, now)
      .execute();
  std::string names;
  for (const auto& e : scope.endpoints) names += (names.empty() ? "" : ",") + e;
  conn.prepare(
          "INSERT INTO planning.plan_runs VALUES ($1, $2, $3, $4::DATE, $5::DATE, $6, $7, $8, "
          "$9, $10, $11::TIMESTAMP)")
      .bind(1, run_id)
      .bind(2, plan.fingerprint)
      .bind(3, r.previous_fingerprint.empty() ? std::optional<std::string>()
                                              : std::optional<std::string>(r.previous_fingerprint))
      .bind(4, iso_date(scope.range.first))
      .bind(5, iso_date(scope.range.last))
      .bind(6, names.empty() ? std::string("*") : names)
      .bind(7, r.added)
      .bind(8, r.removed)
      .bind(9, r.restored)
      .bind(10, r.unchanged)
      .bind(11, now)
      .execute();
}

void read_counts(Connection& conn, const PlanScope& scope, PlanApplyResult& r) {
  std::map<std::string, EndpointPlanCounts> by_endpoint;
  Result changes = conn.query(
      "SELECT endpoint_name, change, count(*) FROM plan_changes GROUP BY ALL ORDER BY ALL");
  for (size_t i = 0; i < changes.row_count(); ++i) {
    auto& c = by_endpoint[changes.get_string(0, i)];
    const std::string kind = changes.get_string(1, i);
    const int64_t n = changes.get_int64(2, i);
    if (kind == "added") c.added = n, r.added += n;
    if (kind == "removed") c.removed = n, r.removed += n;
    if (kind == "restored") c.restored = n, r.restored += n;
    if (kind == "unchanged") c.unchanged = n, r.unchanged += n;
  }
  Result statuses = conn.query(
      "SELECT endpoint_name, status, count(*) FROM planning.task_plan t WHERE t.removed_at IS "
      "NULL AND " +
      scope_condition(scope, "t") + " GROUP BY ALL");
  for (size_t i = 0; i < statuses.row_count(); ++i) {
    auto& c = by_endpoint[statuses.get_string(0, i)];
    const std::string s = statuses.get_string(1, i);
    const int64_t n = statuses.get_int64(2, i);
    if (s == "pending") c.pending += n;
    if (s == "claimed") c.claimed += n;
    if (s == "done") c.done += n;
    if (s == "failed") c.failed += n;
    if (s == "partial") c.partial += n;
  }
  for (auto& [name, c] : by_endpoint) {
    c.endpoint = name;
    r.endpoints.push_back(c);
  }
  Result listed = conn.query(
      "SELECT change, task_id, endpoint_name, CAST(data_date AS VARCHAR), params FROM "
      "plan_changes WHERE change IN ('added', 'removed', 'restored') ORDER BY change, "
      "endpoint_name, data_date, params LIMIT " +
      std::to_string(kMaxListedChanges));
  for (size_t i = 0; i < listed.row_count(); ++i) {
    r.changes.push_back({listed.get_string(0, i), listed.get_string(1, i), listed.get_string(2, i),
                         listed.get_string(3, i), listed.get_string(4, i)});
  }
}

// Runs body in a transaction that commits, or (dry run) always rolls back.
void in_transaction(Connection& conn, bool rollback, const std::function<void()>& body) {
  if (!rollback) return conn.transaction(body);
  conn.execute("BEGIN TRANSACTION");
  try {
    body();
  } catch (...) {
    try {
      conn.execute("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  conn.execute("ROLLBACK");
}

}  // namespace

EndpointsConfig load_project_endpoints(const std::filesystem::path& project_dir) {
  std::vector<ConfigSource> layers{builtin_pncp_endpoints()};
  const std::filesystem::path user = project_dir / "endpoints.yaml";
  std::error_code ec;
  if (!project_dir.empty() && std::filesystem::is_regular_file(user, ec)) {
    layers.push_back(read_config_source(user.string()));
  }
  return parse_endpoints(layers);
}

PlanApplyResult apply_plan(Connection& conn, const EndpointsConfig& config, const Plan& plan,
                           const PlanScope& date_scope, bool dry_run, const std::string& run_id) {
  PlanScope scope = date_scope;
  for (const auto& e : config.endpoints) {
    if (e.from_sql) scope.exclude.push_back(e.name);
  }
  PlanApplyResult r;
  r.fingerprint = plan.fingerprint;
  r.dry_run = dry_run;
  r.skipped = plan.skipped;
  const std::string now = utc_timestamp_now();
  in_transaction(conn, dry_run, [&] {
    r.previous_fingerprint =
        conn.scalar(
                "SELECT plan_fingerprint FROM planning.plan_runs ORDER BY planned_at DESC LIMIT 1")
            .value_or("");
    stage_tasks(conn, plan);
    classify_changes(conn, scope);
    write_changes(conn, plan.fingerprint, run_id, now);
    read_counts(conn, scope, r);
    write_meta(conn, config, plan, scope, r, run_id, now);
    conn.execute("DROP TABLE plan_incoming; DROP TABLE plan_changes");
  });
  return r;
}

std::string describe_plan_result(const PlanApplyResult& r) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  if (r.config_changed()) {
    line("config changed: plan " + r.previous_fingerprint.substr(0, 12) + " -> " +
         r.fingerprint.substr(0, 12));
  } else {
    line("plan " + r.fingerprint.substr(0, 12) + (r.dry_run ? " (dry run: nothing written)" : ""));
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-30s %8s %8s %8s %9s %8s %8s %8s %8s", "endpoint", "added",
                "removed", "restored", "unchanged", "pending", "done", "failed", "partial");
  line(buf);
  for (const auto& c : r.endpoints) {
    std::snprintf(buf, sizeof buf, "%-30s %8lld %8lld %8lld %9lld %8lld %8lld %8lld %8lld",
                  c.endpoint.c_str(), static_cast<long long>(c.added),
                  static_cast<long long>(c.removed), static_cast<long long>(c.restored),
                  static_cast<long long>(c.unchanged),
                  static_cast<long long>(c.pending + c.claimed), static_cast<long long>(c.done),
                  static_cast<long long>(c.failed), static_cast<long long>(c.partial));
    line(buf);
  }
  std::snprintf(buf, sizeof buf, "%-30s %8lld %8lld %8lld %9lld", "total",
                static_cast<long long>(r.added), static_cast<long long>(r.removed),
                static_cast<long long>(r.restored), static_cast<long long>(r.unchanged));
  line(buf);
  const int64_t changed = r.added + r.removed + r.restored;
  if (changed > 0 && !r.changes.empty()) {
    line(changed > static_cast<int64_t>(r.changes.size())
             ? "first " + std::to_string(r.changes.size()) + " of " + std::to_string(changed) +
                   " changes:"
             : "changes:");
    for (const auto& c : r.changes) {
      const char* sign = c.change == "added" ? "+" : c.change == "removed" ? "-" : "*";
      line(std::string("  ") + sign + " " + c.endpoint + " " + c.data_date + " " + c.params);
    }
  }
  std::map<std::string, std::pair<size_t, std::string>> skipped;
  for (const auto& s : r.skipped) {
    auto& entry = skipped[s.endpoint_name];
    if (entry.first++ == 0) entry.second = s.reason;
  }
  for (const auto& [endpoint, entry] : skipped) {
    line("skipped " + std::to_string(entry.first) + " window(s) of " + endpoint + ": " +
         entry.second);
  }
  return out;
}

}  // namespace baliza::plan
