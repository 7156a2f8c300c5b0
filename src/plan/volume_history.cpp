#include "plan/volume_history.h"

#include <chrono>

#include "core/log.h"

namespace baliza::plan {
namespace {

// Replaces `"key":<literal>` in params with `"key":""` (canonical params: keys unique).
void blank(std::string& params, const std::string& key, const std::string& literal) {
  if (key.empty()) return;
  std::string needle;
  append_json_string(needle, key);
  needle += ':';
  needle += literal;
  const std::size_t at = params.find(needle);
  if (at == std::string::npos) return;
  std::string replacement;
  append_json_string(replacement, key);
  replacement += ":\"\"";
  params.replace(at, needle.size(), replacement);
}

std::string quoted(const std::string& text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

Date parse_date_or(const std::string& text, Date fallback) {
  try {
    return parse_iso_date(text);
  } catch (const std::exception&) {
    return fallback;
  }
}

}  // namespace

std::string partition_key(const EndpointConfig& e, const std::string& params,
                          const DateRange& window) {
  std::string key = params;
  blank(key, e.date_params.start, quoted(format_date(window.first, e.date_format)));
  blank(key, e.date_params.end, quoted(format_date(window.last, e.date_format)));
  blank(key, e.date_params.year, std::to_string(static_cast<int>(window.first.year())));
  return key;
}

VolumeHistory read_volume_history(Connection& conn, const EndpointsConfig& config,
                                  const DateRange& range) {
  using std::chrono::days;
  using std::chrono::sys_days;
  const Date from{sys_days{range.first} - days{kHistoryDays}};
  const Date to{sys_days{range.last} + days{kHistoryDays}};
  VolumeHistory history;
  Result observed = conn.prepare(
                            "SELECT t.endpoint_name, CAST(t.data_date AS VARCHAR), "
                            "CAST(coalesce(t.window_end, t.data_date) AS VARCHAR), t.params, "
                            "coalesce(max(r.total_records), sum(r.records_count)) "
                            "FROM planning.task_plan t JOIN runtime.task_results r USING (task_id) "
                            "WHERE r.superseded_at IS NULL AND t.data_date <= $2::DATE "
                            "AND coalesce(t.window_end, t.data_date) >= $1::DATE "
                            "GROUP BY ALL ORDER BY 1, 2, 3, 4")
                        .bind(1, iso_date(from))
                        .bind(2, iso_date(to))
                        .execute();
  for (std::size_t i = 0; i < observed.row_count(); ++i) {
    const EndpointConfig* e = config.find(observed.get_string(0, i));
    if (e == nullptr || observed.is_null(4, i)) continue;
    ObservedWindow w;
    w.endpoint = e->name;
    w.window.first = parse_date_or(observed.get_string(1, i), range.first);
    w.window.last = parse_date_or(observed.get_string(2, i), w.window.first);
    w.partition = partition_key(*e, observed.get_string(3, i), w.window);
    w.records = observed.get_int64(4, i);
    history.observed.push_back(std::move(w));
  }
  Result stored = conn.prepare(
                          "SELECT task_id, endpoint_name, CAST(data_date AS VARCHAR), "
                          "CAST(coalesce(window_end, data_date) AS VARCHAR), modalidade, params, "
                          "plan_fingerprint, status FROM planning.task_plan "
                          "WHERE removed_at IS NULL AND data_date <= $2::DATE "
                          "AND coalesce(window_end, data_date) >= $1::DATE ORDER BY 2, 3, 4, 6")
                      .bind(1, iso_date(range.first))
                      .bind(2, iso_date(range.last))
                      .execute();
  for (std::size_t i = 0; i < stored.row_count(); ++i) {
    const EndpointConfig* e = config.find(stored.get_string(1, i));
    if (e == nullptr) continue;
    StoredTask s;
    s.task.task_id = stored.get_string(0, i);
    s.task.endpoint_name = e->name;
    s.task.data_date = parse_date_or(stored.get_string(2, i), range.first);
    s.task.window_end = parse_date_or(stored.get_string(3, i), s.task.data_date);
    if (!stored.is_null(4, i)) s.task.modalidade = static_cast<int>(stored.get_int64(4, i));
    s.task.params = stored.get_string(5, i);
    s.task.plan_fingerprint = stored.get_string(6, i);
    s.status = stored.get_string(7, i);
    s.partition = partition_key(*e, s.task.params, {s.task.data_date, s.task.window_end});
    history.stored.push_back(std::move(s));
  }
  return history;
}

}  // namespace baliza::plan
