#include "coord/requeue.h"

#include "coord/pg_claim_store.h"

namespace baliza::coord {

std::vector<std::string> requeue_failed(PgConnection& pg, const plan::DateRange& range,
                                        const std::vector<std::string>& endpoints) {
  extract::ClaimScope scope;
  scope.first_date = plan::iso_date(range.first);
  scope.last_date = plan::iso_date(range.last);
  scope.endpoints = endpoints;
  std::vector<PgParam> params;
  const std::string where = pg_scope_sql(scope, params);
  const PgResult r = pg.exec(
      "UPDATE baliza.task_plan t SET status = 'pending', updated_at = now(), xid = "
      "pg_current_xact_id() WHERE t.status IN ('failed', 'partial') AND " +
          where + " RETURNING t.task_id",
      params);
  std::vector<std::string> ids;
  for (int i = 0; i < r.rows(); ++i) ids.push_back(r.get(i, 0));
  return ids;
}

}  // namespace baliza::coord
