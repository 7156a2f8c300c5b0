#include "coord/plan_publish.h"

#include <nlohmann/json.hpp>

namespace baliza::coord {
namespace {
constexpr std::size_t kBatch = 2000;
}

PublishResult publish_plan(Connection& local, PgConnection& pg,
                           const std::optional<plan::DateRange>& range,
                           const std::vector<std::string>& endpoints) {
  std::string where = "TRUE";
  if (range) {
    where += " AND data_date <= DATE " + quote_literal(plan::iso_date(range->last)) +
             " AND coalesce(window_end, data_date) >= DATE " +
             quote_literal(plan::iso_date(range->first));
  }
  if (!endpoints.empty()) {
    std::string list;
    for (const auto& e : endpoints) list += (list.empty() ? "" : ", ") + quote_literal(e);
    where += " AND endpoint_name IN (" + list + ")";
  }
  Result r = local.query(
      "SELECT task_id, endpoint_name, data_date::VARCHAR, window_end::VARCHAR, modalidade, "
      "params, plan_fingerprint, removed_at::VARCHAR FROM planning.task_plan WHERE " +
      where + " ORDER BY task_id");
  PublishResult out;
  out.tasks = static_cast<std::int64_t>(r.row_count());
  nlohmann::json batch = nlohmann::json::array();
  auto send = [&] {
    if (batch.empty()) return;
    const PgResult done = pg.exec(
        "INSERT INTO baliza.task_plan AS p (task_id, endpoint_name, data_date, window_end, "
        "modalidade, params, plan_fingerprint, removed_at) SELECT task_id, endpoint_name, "
        "data_date, window_end, modalidade, params, plan_fingerprint, removed_at FROM "
        "jsonb_to_recordset($1::jsonb) AS x(task_id text, endpoint_name text, data_date date, "
        "window_end date, modalidade integer, params text, plan_fingerprint text, removed_at "
        "timestamp) ON CONFLICT (task_id) DO UPDATE SET removed_at = EXCLUDED.removed_at, "
        "plan_fingerprint = EXCLUDED.plan_fingerprint, updated_at = now(), xid = "
        "pg_current_xact_id() WHERE p.removed_at IS DISTINCT FROM EXCLUDED.removed_at OR "
        "p.plan_fingerprint <> EXCLUDED.plan_fingerprint",
        {batch.dump()});
    out.changed += done.affected();
    batch = nlohmann::json::array();
  };
  auto text_or_null = [&](size_t col, size_t row) -> nlohmann::json {
    if (r.is_null(col, row)) return nullptr;
    return r.get_string(col, row);
  };
  for (size_t i = 0; i < r.row_count(); ++i) {
    nlohmann::json t;
    t["task_id"] = r.get_string(0, i);
    t["endpoint_name"] = r.get_string(1, i);
    t["data_date"] = r.get_string(2, i);
    t["window_end"] = text_or_null(3, i);
    t["modalidade"] = r.is_null(4, i) ? nlohmann::json(nullptr) : nlohmann::json(r.get_int64(4, i));
    t["params"] = r.get_string(5, i);
    t["plan_fingerprint"] = r.get_string(6, i);
    t["removed_at"] = text_or_null(7, i);
    batch.push_back(std::move(t));
    if (batch.size() >= kBatch) send();
  }
  send();
  return out;
}

}  // namespace baliza::coord
