#include "plan/sql_planner.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/error.h"
#include "plan/task_planner.h"

namespace baliza::plan {
namespace {

constexpr const char* kVersionKey = "_versao";

std::vector<std::string> path_placeholders(const std::string& path) {
  std::vector<std::string> names;
  for (std::size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
    const std::size_t close = path.find('}', at);
    if (close == std::string::npos) break;
    names.push_back(path.substr(at + 1, close - at - 1));
  }
  return names;
}

bool is_integer_type(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
      return true;
    default:
      return false;
  }
}

// A failure of the query because a relation it reads is not there yet (nothing staged).
bool is_missing_relation(const std::string& message) {
  return message.find("Catalog Error") != std::string::npos &&
         message.find("does not exist") != std::string::npos;
}

struct Row {
  std::string task_id, parent_key, params, data_date;
};

struct Stored {
  std::string task_id, status;
  bool removed = false;
};

std::string period_filter(const DateRange& range, bool has_changed_on) {
  const std::string a = "DATE " + quote_literal(iso_date(range.first));
  const std::string b = "DATE " + quote_literal(iso_date(range.last));
  std::string sql = "CAST(q.data_date AS DATE) BETWEEN " + a + " AND " + b;
  if (has_changed_on) sql += " OR CAST(q.changed_on AS DATE) BETWEEN " + a + " AND " + b;
  return sql;
}

class EndpointSqlPlanner {
 public:
  EndpointSqlPlanner(Connection& conn, const EndpointConfig& e, const std::string& fingerprint)
      : conn_(conn), e_(e), fingerprint_(fingerprint) {}

  // Reads the query's rows of the period; false (with plan.skipped) when nothing is staged.
  bool read_rows(const DateRange& range, SqlEndpointPlan& plan) {
    const std::string query = e_.from_sql->query;
    std::vector<std::string> columns;
    try {
      Result shape = conn_.query("SELECT * FROM (" + query + ") q LIMIT 0");
      for (size_t c = 0; c < shape.column_count(); ++c) columns.push_back(shape.column_name(c));
    } catch (const Error& err) {
      if (is_missing_relation(err.what())) {
        plan.skipped = "its query reads what is not staged yet (" + first_line(err.what()) +
                       "); run the models it needs first (from_sql.after)";
        return false;
      }
      throw usage_error("from_sql query of endpoint " + e_.name + " at " + e_.from_sql->location +
                        " failed: " + first_line(err.what()) + "; fix the query in endpoints.yaml");
    }
    const auto has = [&](const std::string& name) {
      return std::find(columns.begin(), columns.end(), name) != columns.end();
    };
    std::vector<std::string> needed = path_placeholders(e_.path);
    needed.push_back("data_date");
    for (const auto& name : needed) {
      if (!has(name)) {
        throw usage_error("from_sql query of endpoint " + e_.name + " at " + e_.from_sql->location +
                          " yields no column '" + name +
                          "'; it must yield one column per {parameter} of the path " + e_.path +
                          " and data_date (the day each task belongs to)");
      }
    }
    Result rows = conn_.query("SELECT * FROM (" + query + ") q WHERE " +
                              period_filter(range, has("changed_on")) +
                              " ORDER BY CAST(q.data_date AS DATE)");
    const std::vector<std::string> placeholders = path_placeholders(e_.path);
    for (size_t i = 0; i < rows.row_count(); ++i) {
      ++plan.parents;
      nlohmann::json params = nlohmann::json::object();
      std::string version;
      std::string date;
      bool complete = true;
      for (size_t c = 0; c < rows.column_count(); ++c) {
        const std::string name = rows.column_name(c);
        if (name == "changed_on") continue;
        if (rows.is_null(c, i)) {
          if (std::find(placeholders.begin(), placeholders.end(), name) != placeholders.end() ||
              name == "data_date")
            complete = false;
          continue;
        }
        if (name == "data_date") {
          date = rows.get_string(c, i).substr(0, 10);
        } else if (name == "version") {
          version = rows.get_string(c, i);
        } else if (is_integer_type(rows.column_type(c))) {
          params[name] = rows.get_int64(c, i);
        } else {
          params[name] = rows.get_string(c, i);
        }
      }
      if (!complete) {
        ++plan.incomplete;
        continue;
      }
      Row row;
      row.parent_key = params.dump();
      if (!version.empty()) params[kVersionKey] = version;
      row.params = params.dump();
      row.data_date = date;
      const Date day = parse_iso_date(date);
      row.task_id = make_task_id(e_.name, DateRange{day, day}, row.params);
      rows_.push_back(std::move(row));
    }
    return true;
  }

  // Compares with the stored tasks of the endpoint and writes the changes.
  void apply(SqlEndpointPlan& plan, bool dry_run, const std::string& run_id, const std::string& now,
             std::vector<std::string>& pending_ids) {
    std::unordered_map<std::string, Stored> by_id;
    std::unordered_map<std::string, std::vector<std::string>> live_by_parent;
    Result stored = conn_
                        .prepare(
                            "SELECT task_id, params, status, removed_at IS NOT NULL "
                            "FROM planning.task_plan WHERE endpoint_name = $1")
                        .bind(1, e_.name)
                        .execute();
    for (size_t i = 0; i < stored.row_count(); ++i) {
      Stored s{stored.get_string(0, i), stored.get_string(2, i), stored.get_bool(3, i)};
      if (!s.removed) {
        nlohmann::json p = nlohmann::json::parse(stored.get_string(1, i), nullptr, false);
        if (p.is_object()) {
          p.erase(kVersionKey);
          live_by_parent[p.dump()].push_back(s.task_id);
        }
      }
      by_id.emplace(s.task_id, std::move(s));
    }
    std::vector<const Row*> added;
    std::vector<std::string> restored, superseded;
    std::map<std::string, bool> seen;
    for (const Row& row : rows_) {
      if (seen.count(row.task_id)) continue;  // the query yielded a parent twice
      seen[row.task_id] = true;
      const auto it = by_id.find(row.task_id);
      std::string status = "pending";
      if (it == by_id.end()) {
        added.push_back(&row);
      } else {
        status = it->second.status;
        if (it->second.removed) {
          restored.push_back(row.task_id);
          if (status == "removed") status = "pending";
        }
      }
      for (const auto& other : live_by_parent[row.parent_key]) {
        if (other != row.task_id) superseded.push_back(other);
      }
      if (status == "done") {
        ++plan.done;
      } else if (status == "failed" || status == "partial") {
        ++plan.failed;
      } else {
        ++plan.pending;
        pending_ids.push_back(row.task_id);
      }
    }
    std::sort(superseded.begin(), superseded.end());
    superseded.erase(std::unique(superseded.begin(), superseded.end()), superseded.end());
    plan.added = static_cast<std::int64_t>(added.size());
    plan.superseded = static_cast<std::int64_t>(superseded.size());
    if (dry_run) return;
    write(added, restored, superseded, run_id, now);
  }

 private:
  static std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

  void write(const std::vector<const Row*>& added, const std::vector<std::string>& restored,
             const std::vector<std::string>& superseded, const std::string& run_id,
             const std::string& now) {
    conn_.execute(
        "CREATE OR REPLACE TEMP TABLE sql_plan_added (task_id VARCHAR, data_date DATE, "
        "params VARCHAR); CREATE OR REPLACE TEMP TABLE sql_plan_ids (task_id VARCHAR, "
        "change VARCHAR)");
    {
      Appender app = conn_.appender("", "sql_plan_added");
      for (const Row* r : added) {
        app.append(r->task_id).append(r->data_date).append(r->params);
        app.end_row();
      }
      app.close();
      Appender ids = conn_.appender("", "sql_plan_ids");
      for (const auto& id : restored) ids.append(id).append("restored").end_row();
      for (const auto& id : superseded) ids.append(id).append("superseded").end_row();
      ids.close();
    }
    conn_
        .prepare(
            "INSERT INTO planning.task_plan (task_id, endpoint_name, data_date, window_end, "
            "modalidade, params, status, plan_fingerprint, created_at, attempts) "
            "SELECT task_id, $1, data_date, data_date, NULL, params, 'pending', $2, "
            "$3::TIMESTAMP, 0 FROM sql_plan_added")
        .bind(1, e_.name)
        .bind(2, fingerprint_)
        .bind(3, now)
        .execute();
    conn_
        .prepare(
            "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, "
            "occurred_at) SELECT task_id, 'planned', 'pending', $1, 'planned from SQL (' || $2 "
            "|| ')', $3::TIMESTAMP FROM sql_plan_added")
        .bind(1, run_id)
        .bind(2, e_.name)
        .bind(3, now)
        .execute();
    conn_
        .prepare(
            "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, "
            "occurred_at) SELECT i.task_id, i.change, CASE WHEN t.status = 'done' THEN 'done' "
            "WHEN i.change = 'superseded' THEN 'removed' ELSE 'pending' END, $1, "
            "CASE i.change WHEN 'superseded' THEN 'a newer version of its parent was planned' "
            "ELSE 'its parent is planned again' END || ' (was ' || t.status || ')', "
            "$2::TIMESTAMP FROM sql_plan_ids i JOIN planning.task_plan t USING (task_id)")
        .bind(1, run_id)
        .bind(2, now)
        .execute();
    conn_
        .prepare(
            "UPDATE planning.task_plan SET removed_at = $1::TIMESTAMP, updated_at = "
            "$1::TIMESTAMP, status = CASE WHEN status = 'done' THEN status ELSE 'removed' END "
            "WHERE task_id IN (SELECT task_id FROM sql_plan_ids WHERE change = 'superseded')")
        .bind(1, now)
        .execute();
    conn_
        .prepare(
            "UPDATE planning.task_plan SET removed_at = NULL, updated_at = $1::TIMESTAMP, "
            "status = CASE WHEN status = 'removed' THEN 'pending' ELSE status END "
            "WHERE task_id IN (SELECT task_id FROM sql_plan_ids WHERE change = 'restored')")
        .bind(1, now)
        .execute();
    conn_.execute("DROP TABLE sql_plan_added; DROP TABLE sql_plan_ids");
  }

  Connection& conn_;
  const EndpointConfig& e_;
  const std::string& fingerprint_;
  std::vector<Row> rows_;
};

}  // namespace

std::vector<std::string> sql_planned_endpoints(const EndpointsConfig& config) {
  std::vector<std::string> names;
  for (const auto& e : config.endpoints) {
    if (e.enabled && e.from_sql) names.push_back(e.name);
  }
  return names;
}

SqlPlanResult plan_from_sql(Connection& conn, const EndpointsConfig& config,
                            const SqlPlanRequest& request, bool dry_run,
                            const std::string& run_id) {
  std::vector<std::string> names =
      request.endpoints.empty() ? sql_planned_endpoints(config) : request.endpoints;
  SqlPlanResult result;
  const std::string fingerprint = config_fingerprint(config);
  const std::string now = utc_timestamp_now();
  for (const auto& name : names) {
    const EndpointConfig* e = config.find(name);
    if (e == nullptr || !e->from_sql) {
      throw usage_error(
          "endpoint '" + name + "' is not planned from SQL (no from_sql in " +
          (config.sources.empty() ? std::string("endpoints.yaml") : config.sources.back()) + ")");
    }
    SqlEndpointPlan plan;
    plan.endpoint = name;
    if (!e->enabled) {
      plan.skipped = "disabled: " + e->reason;
      result.endpoints.push_back(plan);
      continue;
    }
    EndpointSqlPlanner planner(conn, *e, fingerprint);
    if (planner.read_rows(request.range, plan)) {
      if (dry_run) {
        planner.apply(plan, true, run_id, now, result.pending_task_ids);
      } else {
        conn.transaction([&] { planner.apply(plan, false, run_id, now, result.pending_task_ids); });
      }
    }
    result.endpoints.push_back(plan);
  }
  return result;
}

std::string describe_sql_plan(const SqlPlanResult& result) {
  std::string out;
  char buf[512];
  for (const auto& p : result.endpoints) {
    if (!p.skipped.empty()) {
      out += "planned from SQL: " + p.endpoint + ": skipped: " + p.skipped + "\n";
      continue;
    }
    std::snprintf(buf, sizeof buf,
                  "planned from SQL: %s: %lld parents, %lld new task(s), %lld superseded "
                  "version(s), %lld already fetched, %lld to fetch, %lld failed",
                  p.endpoint.c_str(), static_cast<long long>(p.parents),
                  static_cast<long long>(p.added), static_cast<long long>(p.superseded),
                  static_cast<long long>(p.done), static_cast<long long>(p.pending),
                  static_cast<long long>(p.failed));
    out += buf;
    if (p.incomplete > 0)
      out += "; " + std::to_string(p.incomplete) + " row(s) without a path parameter skipped";
    out += "\n";
  }
  return out;
}

}  // namespace baliza::plan
