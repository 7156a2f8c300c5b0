#include "ops/extract_progress.h"

#include "plan/task_scope.h"

namespace baliza::ops {

PageProgress page_progress(Connection& conn, const plan::DateRange& range,
                           const std::vector<std::string>& endpoints) {
  const std::string scope = plan::task_scope_sql(range, endpoints);
  Result r = conn.query(
      "WITH t AS (SELECT task_id, status FROM planning.task_plan t WHERE " + scope +
      "), p AS (SELECT task_id, count(DISTINCT page_number) AS stored, "
      "max(coalesce(total_pages, 0)) AS total FROM runtime.task_results GROUP BY task_id) "
      "SELECT count(*), count(*) FILTER (WHERE t.status = 'done'), "
      "count(*) FILTER (WHERE t.status = 'failed'), count(*) FILTER (WHERE t.status = "
      "'partial'), count(*) FILTER (WHERE t.status IN ('pending', 'claimed')), "
      "count(*) FILTER (WHERE p.task_id IS NULL), coalesce(sum(p.stored), 0), "
      "coalesce(sum(greatest(p.total, p.stored)), 0) FROM t LEFT JOIN p USING (task_id)");
  PageProgress out;
  if (r.row_count() == 0) return out;
  out.tasks_planned = r.get_int64(0, 0);
  out.tasks_done = r.get_int64(1, 0);
  out.tasks_failed = r.get_int64(2, 0);
  out.tasks_partial = r.get_int64(3, 0);
  out.tasks_pending = r.get_int64(4, 0);
  out.tasks_not_started = r.get_int64(5, 0);
  out.pages_done = r.get_int64(6, 0);
  out.pages_expected = r.get_int64(7, 0);
  return out;
}

}  // namespace baliza::ops
