#include "plan/sql_requests.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/error.h"
#include "plan/sql_planner.h"
#include "plan/volume_history.h"

namespace baliza::plan {
namespace {

struct History {
  double tasks_per_day = 0;      // tasks of the endpoint per day of data_date (0: no history)
  double requests_per_task = 0;  // requests its done tasks made (0: none done yet)
};

bool has_table(Connection& conn, const std::string& schema, const std::string& table) {
  Result r = conn.prepare(
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 "
                     "AND table_name = $2")
                 .bind(1, schema)
                 .bind(2, table)
                 .execute();
  return r.row_count() == 1 && r.get_int64(0, 0) > 0;
}

History read_history(Connection& conn, const std::string& endpoint, const DateRange& range) {
  History h;
  if (!has_table(conn, "planning", "task_plan")) return h;
  const std::string first = iso_date(range.first);
  // Tasks per calendar day over the last (up to) 31 days of data_date before the period that
  // have tasks, within 120 days of it (a month's parents also carry older data_dates: the
  // purchases that changed, so a longer span would dilute the rate).
  Result days = conn.prepare(
                        "WITH t AS (SELECT data_date FROM planning.task_plan WHERE endpoint_name = "
                        "$1 AND removed_at IS NULL AND data_date < CAST($2 AS DATE) AND data_date "
                        ">= CAST($2 AS DATE) - INTERVAL " +
                        std::to_string(kHistoryDays) +
                        " DAY), s AS (SELECT max(data_date) AS last, least(31, date_diff('day', "
                        "min(data_date), max(data_date)) + 1) AS n FROM t) SELECT (SELECT count(*) "
                        "FROM t, s WHERE t.data_date > s.last - CAST(s.n AS INTEGER)), s.n FROM s")
                    .bind(1, endpoint)
                    .bind(2, first)
                    .execute();
  if (days.row_count() == 1 && !days.is_null(1, 0) && days.get_int64(1, 0) > 0)
    h.tasks_per_day =
        static_cast<double>(days.get_int64(0, 0)) / static_cast<double>(days.get_int64(1, 0));
  if (!has_table(conn, "raw", "api_requests")) return h;
  Result asked = conn.prepare(
                         "WITH done AS (SELECT task_id FROM planning.task_plan WHERE "
                         "endpoint_name = $1 AND status = 'done') SELECT (SELECT count(*) FROM "
                         "done), (SELECT count(*) FROM raw.api_requests r JOIN done USING "
                         "(task_id)), (SELECT count(*) FROM meta.completeness_checks c JOIN done "
                         "USING (task_id))")
                     .bind(1, endpoint)
                     .execute();
  const std::int64_t done = asked.get_int64(0, 0);
  if (done > 0)
    h.requests_per_task = static_cast<double>(asked.get_int64(1, 0) + asked.get_int64(2, 0)) /
                          static_cast<double>(done);
  return h;
}

// Days of the period up to today (later days have no parents yet).
std::int64_t days_to_today(const DateRange& range) {
  const std::chrono::sys_days first{range.first};
  const std::chrono::sys_days last{std::min(range.last, today_local())};
  return last < first ? 0 : (last - first).count() + 1;
}

}  // namespace

std::vector<EndpointRequests> sql_endpoint_requests(Connection* conn, const EndpointsConfig& config,
                                                    const DateRange& range,
                                                    const std::vector<std::string>& endpoints,
                                                    bool parents_pending) {
  std::vector<EndpointRequests> rows;
  for (const std::string& name : sql_planned_endpoints(config)) {
    if (!endpoints.empty() &&
        std::find(endpoints.begin(), endpoints.end(), name) == endpoints.end())
      continue;
    const EndpointConfig& e = *config.find(name);
    EndpointRequests row;
    row.endpoint = name;
    row.host = request_host(e.base_url);
    const bool unpaged = e.page_param.empty();
    std::optional<SqlEndpointPlan> planned;
    if (conn != nullptr) {
      SqlPlanResult r = plan_from_sql(*conn, config, SqlPlanRequest{range, {name}}, true, "");
      if (!r.endpoints.empty() && r.endpoints.front().skipped.empty())
        planned = r.endpoints.front();
    }
    const History h = conn != nullptr ? read_history(*conn, name, range) : History{};
    // Requests a task to fetch makes: 1 unpaged; else what done tasks made (estimated).
    const double per_task = unpaged ? 1.0 : h.requests_per_task;
    const auto add_pending = [&](std::int64_t tasks) {
      if (tasks <= 0) return;
      if (unpaged) {
        row.exact_tasks += tasks;
        row.exact_requests += static_cast<double>(tasks);
      } else if (per_task > 0) {
        row.estimated_tasks += tasks;
        row.estimated_requests += per_task * static_cast<double>(tasks);
      } else {
        row.unknown_tasks += tasks;
        row.unknown_requests += static_cast<double>(tasks);  // at least one each
      }
    };
    const double expected = h.tasks_per_day * static_cast<double>(days_to_today(range));
    // Tasks expected from history, not known yet: estimated (or at least 1 request each).
    const auto add_expected = [&](double tasks) {
      const auto n = static_cast<std::int64_t>(std::llround(tasks));
      if (n <= 0) return std::string("none expected from history");
      char buf[160];
      std::snprintf(buf, sizeof buf, "~%lld task(s) expected from history (%.1f/day",
                    static_cast<long long>(n), h.tasks_per_day);
      std::string note = buf;
      if (per_task > 0) {
        row.estimated_tasks += n;
        row.estimated_requests += per_task * tasks;
        std::snprintf(buf, sizeof buf, ", %.2f requests each)", per_task);
        return note + buf;
      }
      add_pending(n);
      return note + ")";
    };
    if (planned) {
      row.tasks = planned->done + planned->pending + planned->failed;
      row.done = planned->done;
      add_pending(planned->pending);
      if (parents_pending) {
        row.note = "+ the parents the date-planned round will stage, unknown until it has run";
        if (h.tasks_per_day > 0) {
          row.note += ": " + add_expected(std::max(0.0, expected - static_cast<double>(row.tasks)));
        } else {
          row.lower_bound = true;
          row.note += " (no history to estimate from)";
        }
      }
    } else {
      row.note = conn == nullptr ? "unknown: no database yet"
                                 : "unknown until the date-planned round has run (its query "
                                   "reads what is not staged yet)";
      if (h.tasks_per_day > 0) {
        row.note += ": " + add_expected(expected);
      } else {
        row.lower_bound = true;
        row.note += "; no history to estimate from";
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void add_sql_endpoint_requests(RequestSummary& summary, Connection* conn,
                               const EndpointsConfig& config, const DateRange& range,
                               const std::vector<std::string>& endpoints) {
  bool parents_pending = false;
  for (const auto& e : summary.endpoints) parents_pending = parents_pending || e.requests() > 0;
  for (auto& row : sql_endpoint_requests(conn, config, range, endpoints, parents_pending))
    summary.endpoints.push_back(std::move(row));
}

}  // namespace baliza::plan
