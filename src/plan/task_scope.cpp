#include "plan/task_scope.h"

#include "db/database.h"

namespace baliza::plan {

std::string task_scope_sql(const DateRange& range, const std::vector<std::string>& endpoints) {
  std::string sql =
      "t.removed_at IS NULL AND t.data_date <= DATE " + quote_literal(iso_date(range.last)) +
      " AND coalesce(t.window_end, t.data_date) >= DATE " + quote_literal(iso_date(range.first));
  if (!endpoints.empty()) {
    sql += " AND t.endpoint_name IN (";
    for (size_t i = 0; i < endpoints.size(); ++i)
      sql += (i ? ", " : "") + quote_literal(endpoints[i]);
    sql += ")";
  }
  return sql;
}

}  // namespace baliza::plan
