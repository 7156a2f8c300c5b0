#include "transform/source_freshness.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/error.h"

namespace baliza::transform {
namespace {

const nlohmann::json kEmptyTime = {{"count", nullptr}, {"period", nullptr}};

nlohmann::json empty_threshold() {
  return {{"warn_after", kEmptyTime}, {"error_after", kEmptyTime}, {"filter", nullptr}};
}

// A threshold as dbt's from_dict makes it: missing times are empty, explicit nulls stay null.
nlohmann::json normalized(const nlohmann::json& value) {
  nlohmann::json t = empty_threshold();
  for (const char* key : {"warn_after", "error_after"}) {
    if (!value.contains(key)) continue;
    const nlohmann::json& v = value[key];
    if (v.is_null()) {
      t[key] = nullptr;
    } else {
      t[key] = kEmptyTime;
      if (v.contains("count")) t[key]["count"] = v["count"];
      if (v.contains("period")) t[key]["period"] = v["period"];
    }
  }
  if (value.contains("filter")) t["filter"] = value["filter"];
  return t;
}

bool complete(const nlohmann::json& time) {
  return time.is_object() && !time.value("count", nlohmann::json()).is_null() &&
         !time.value("period", nlohmann::json()).is_null();
}

nlohmann::json merge_time(const nlohmann::json& base, const nlohmann::json& update) {
  if (complete(base) && complete(update)) return update;  // both complete: update's fields win
  if (update.is_null()) return nullptr;
  return complete(update) ? update : base;
}

double period_seconds(const std::string& period) {
  if (period == "minute") return 60;
  if (period == "hour") return 3600;
  return 86400;
}

bool exceeded(const nlohmann::json& time, double age) {
  if (!complete(time)) return false;
  return age > time["count"].get<double>() * period_seconds(time["period"].get<std::string>());
}

std::string iso_utc(long long micros) {
  long long seconds = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  long long frac = micros - seconds * 1000000;
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%06lld", frac);
    out += f;
  }
  return out + "+00:00";
}

std::string now_iso() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return iso_utc(static_cast<long long>(us));
}

std::string text_of(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

std::optional<std::string> freshness_problem(const nlohmann::json& value) {
  if (value.is_null()) return std::nullopt;
  if (!value.is_object()) {
    return "freshness must be a mapping such as {warn_after: {count: 12, period: hour}, "
           "error_after: {count: 1, period: day}} (or null to turn it off)";
  }
  for (const auto& [key, v] : value.items()) {
    if (key == "filter") {
      if (!v.is_null() && !v.is_string()) return "freshness.filter must be a SQL condition";
      continue;
    }
    if (key != "warn_after" && key != "error_after") {
      return "freshness has no key '" + key + "'; use warn_after, error_after and filter";
    }
    if (v.is_null()) continue;
    if (!v.is_object()) return "freshness." + key + " must be {count: N, period: minute|hour|day}";
    for (const auto& [k, x] : v.items()) {
      if (k == "count") {
        if (!x.is_null() && !x.is_number_integer())
          return "freshness." + key + ".count must be a whole number; got " + text_of(x);
      } else if (k == "period") {
        if (x.is_null()) continue;
        std::string p = x.is_string() ? x.get<std::string>() : "";
        if (p != "minute" && p != "hour" && p != "day")
          return "freshness." + key + ".period must be minute, hour or day; got " + text_of(x);
      } else {
        return "freshness." + key + " has no key '" + k + "'; use count and period";
      }
    }
  }
  return std::nullopt;
}

nlohmann::json merge_freshness(const std::vector<const nlohmann::json*>& layers) {
  nlohmann::json merged;  // null: no policy
  bool first = true;
  for (const nlohmann::json* layer : layers) {
    nlohmann::json update = layer == nullptr   ? empty_threshold()
                            : layer->is_null() ? nlohmann::json()
                                               : normalized(*layer);
    if (first) {
      merged = std::move(update);
      first = false;
      continue;
    }
    if (merged.is_object() && update.is_object()) {
      nlohmann::json out = merged;
      if (!update["filter"].is_null()) out["filter"] = update["filter"];
      out["error_after"] = merge_time(merged["error_after"], update["error_after"]);
      out["warn_after"] = merge_time(merged["warn_after"], update["warn_after"]);
      merged = std::move(out);
    } else if (merged.is_null() && update.is_object()) {
      merged = std::move(update);
    } else {
      merged = nullptr;
    }
  }
  return merged;
}

bool has_freshness(const nlohmann::json& threshold) {
  return threshold.is_object() && (complete(threshold.value("warn_after", nlohmann::json())) ||
                                   complete(threshold.value("error_after", nlohmann::json())));
}

FreshnessResult check_source_freshness(Connection& conn, const Node& source,
                                       const std::string& relation) {
  FreshnessResult r;
  r.unique_id = source.unique_id;
  r.name = source.source_name + "." + source.name;
  r.criteria = source.source_extra.value("freshness", nlohmann::json());
  r.started_at = now_iso();
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](FreshnessResult& out) {
    out.completed_at = now_iso();
    out.execution_time =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto string_of = [&](const char* key) {
    auto it = source.source_extra.find(key);
    return it != source.source_extra.end() && it->is_string() ? it->get<std::string>()
                                                              : std::string();
  };
  std::string field = string_of("loaded_at_field");
  std::string query = string_of("loaded_at_query");
  std::string filter = r.criteria.is_object() && r.criteria["filter"].is_string()
                           ? r.criteria["filter"].get<std::string>()
                           : std::string();
  if (field.empty() && query.empty()) {
    r.status = "runtime error";
    r.error = "Could not compute freshness for source " + source.name +
              ": no 'loaded_at_field' provided and duckdb adapter does not support "
              "metadata-based freshness checks; add loaded_at_field to source " +
              r.name;
    finish(r);
    return r;
  }
  std::string max_sql = !query.empty() ? "select (" + query + ") as m"
                                       : "select max(" + field + ") as m from " + relation +
                                             (filter.empty() ? std::string() : " where " + filter);
  try {
    std::optional<std::string> type = conn.scalar("select typeof(m) from (" + max_sql + ")");
    std::optional<std::string> text =
        conn.scalar("select cast(m as varchar) from (" + max_sql + ")");
    if (!text) {
      throw usage_error("Expected a non-null value when querying field '" +
                        (query.empty() ? field : query) + "' of table " + relation +
                        " but received value 'null' instead (no rows" +
                        (filter.empty() ? std::string() : " match the filter") + ")");
    }
    std::string cast = type && *type == "TIMESTAMP WITH TIME ZONE" ? "TIMESTAMPTZ" : "TIMESTAMP";
    std::optional<std::string> us =
        conn.scalar("select epoch_us(try_cast(" + quote_literal(*text) + " as " + cast + "))");
    if (!us) {
      throw usage_error("loaded_at_field '" + field + "' of " + r.name + " gave '" + *text +
                        "', which is not a timestamp or date");
    }
    std::optional<std::string> now = conn.scalar("select epoch_us(get_current_timestamp())");
    long long max_us = std::stoll(*us);
    long long now_us = now ? std::stoll(*now) : max_us;
    r.max_loaded_at = iso_utc(max_us);
    r.snapshotted_at = iso_utc(now_us);
    r.age_seconds = static_cast<double>(now_us - max_us) / 1e6;
    if (r.criteria.is_object() && exceeded(r.criteria["error_after"], r.age_seconds))
      r.status = "error";
    else if (r.criteria.is_object() && exceeded(r.criteria["warn_after"], r.age_seconds))
      r.status = "warn";
    else
      r.status = "pass";
  } catch (const std::exception& e) {
    r.status = "runtime error";
    r.error = e.what();
  }
  finish(r);
  return r;
}

nlohmann::json sources_json(const std::vector<FreshnessResult>& results,
                            const std::string& invocation_id, const std::string& started_at,
                            double elapsed_seconds) {
  nlohmann::json out = nlohmann::json::array();
  for (const FreshnessResult& r : results) {
    if (r.status == "runtime error") {
      out.push_back({{"unique_id", r.unique_id}, {"error", r.error}, {"status", r.status}});
      continue;
    }
    nlohmann::json criteria = r.criteria.is_object() ? r.criteria : empty_threshold();
    out.push_back(
        {{"unique_id", r.unique_id},
         {"max_loaded_at", r.max_loaded_at},
         {"snapshotted_at", r.snapshotted_at},
         {"max_loaded_at_time_ago_in_s", r.age_seconds},
         {"status", r.status},
         {"criteria", criteria},
         {"adapter_response", nlohmann::json::object()},
         {"timing",
          {{{"name", "compile"}, {"started_at", r.started_at}, {"completed_at", r.started_at}},
           {{"name", "execute"}, {"started_at", r.started_at}, {"completed_at", r.completed_at}}}},
         {"thread_id", "Thread-1"},
         {"execution_time", r.execution_time}});
  }
  return {{"metadata",
           {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/sources/v3.json"},
            {"dbt_version", "baliza-" BALIZA_VERSION},
            {"generated_at", now_iso()},
            {"invocation_id", invocation_id},
            {"invocation_started_at", started_at},
            {"env", nlohmann::json::object()}}},
          {"results", std::move(out)},
          {"elapsed_time", elapsed_seconds}};
}

}  // namespace baliza::transform
