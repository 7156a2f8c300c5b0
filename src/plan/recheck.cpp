#include "plan/recheck.h"

#include <chrono>

#include "core/clock.h"
#include "plan/task_scope.h"

namespace baliza::plan {

std::int64_t requeue_recent(Connection& conn, const PlanScope& scope, Date today, int days,
                            const std::string& run_id) {
  if (days <= 0) return 0;
  const Date since{std::chrono::sys_days{today} - std::chrono::days(days)};
  const std::string condition =
      "t.status = 'done' AND coalesce(t.window_end, t.data_date) >= DATE " +
      quote_literal(iso_date(since)) + " AND " + task_scope_sql(scope.range, scope.endpoints);
  std::int64_t n = 0;
  const std::string now = utc_timestamp_now();
  conn.transaction([&] {
    n = std::stoll(
        conn.scalar("SELECT count(*) FROM planning.task_plan t WHERE " + condition).value_or("0"));
    if (n == 0) return;
    conn.prepare(
            "INSERT INTO planning.task_events (task_id, event, status, run_id, detail, "
            "occurred_at) SELECT task_id, 'recheck', 'pending', $1, 'window ends within ' || $2 "
            "|| ' days of today: total read again', $3::TIMESTAMP FROM planning.task_plan t "
            "WHERE " +
            condition)
        .bind(1, run_id)
        .bind(2, static_cast<int64_t>(days))
        .bind(3, now)
        .execute();
    conn.prepare(
            "UPDATE planning.task_plan t SET status = 'pending', updated_at = $1::TIMESTAMP "
            "WHERE " +
            condition)
        .bind(1, now)
        .execute();
  });
  return n;
}

}  // namespace baliza::plan
