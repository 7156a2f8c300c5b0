#include "transform/microbatch.h"

#include "core/error.h"
#include "transform/relation.h"
#include "transform/sql_error.h"
#include "transform/text_util.h"

namespace baliza::transform {
namespace {

const nlohmann::json* extra_value(const Node& n, const char* key) {
  const nlohmann::json& extra = n.config.extra;
  if (!extra.is_object()) return nullptr;
  auto it = extra.find(key);
  return it == extra.end() || it->is_null() ? nullptr : &*it;
}

std::string where(const Node& model) {
  return "model " + model.name + " (" + model.original_file_path + ")";
}

}  // namespace

bool is_microbatch(const Node& node) {
  return node.resource_type == ResourceType::kModel &&
         node.config.incremental_strategy == "microbatch";
}

std::string event_time_of(const Node& node) {
  const nlohmann::json* v = extra_value(node, "event_time");
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

MicrobatchSpec microbatch_spec(const Node& model) {
  MicrobatchSpec spec;
  if (model.config.materialized != "incremental") {
    throw usage_error("incremental_strategy 'microbatch' in " + where(model) +
                      " needs materialized='incremental' (got '" + model.config.materialized +
                      "')");
  }
  spec.event_time = event_time_of(model);
  if (spec.event_time.empty()) {
    throw usage_error("microbatch " + where(model) +
                      " needs event_time: the column that says when each row happened; add "
                      "event_time='created_at' to its config");
  }
  const nlohmann::json* size = extra_value(model, "batch_size");
  std::optional<BatchSize> parsed;
  if (size != nullptr && size->is_string()) parsed = parse_batch_size(size->get<std::string>());
  if (!parsed) {
    std::string got = size == nullptr ? "none" : "'" + size->dump() + "'";
    if (size != nullptr && size->is_string()) got = "'" + size->get<std::string>() + "'";
    throw usage_error(
        "microbatch " + where(model) + " needs batch_size 'hour', 'day', 'month' or 'year' (got " +
        got + ")" +
        (size != nullptr && size->is_string()
             ? did_you_mean(size->get<std::string>(), {"hour", "day", "month", "year"})
             : std::string()));
  }
  spec.batch_size = *parsed;
  const nlohmann::json* begin = extra_value(model, "begin");
  std::optional<UtcTime> begin_time;
  if (begin != nullptr && begin->is_string())
    begin_time = parse_utc_time(begin->get<std::string>());
  if (!begin_time) {
    throw usage_error("microbatch " + where(model) + " needs begin, the first instant to build (" +
                      (begin == nullptr ? std::string("none given") : "got " + begin->dump()) +
                      "); write begin='2024-01-01' or '2024-01-01 06:00:00'");
  }
  spec.begin = *begin_time;
  if (const nlohmann::json* lookback = extra_value(model, "lookback")) {
    if (!lookback->is_number_integer() || lookback->get<std::int64_t>() < 0 ||
        lookback->get<std::int64_t>() > 100000) {
      throw usage_error("lookback of microbatch " + where(model) +
                        " must be a whole number of batches (0 or more); got " + lookback->dump());
    }
    spec.lookback = static_cast<int>(lookback->get<std::int64_t>());
  }
  if (const nlohmann::json* concurrent = extra_value(model, "concurrent_batches");
      concurrent != nullptr && !concurrent->is_boolean()) {
    throw usage_error("concurrent_batches of microbatch " + where(model) +
                      " must be true or false; got " + concurrent->dump());
  }
  return spec;
}

std::vector<BatchWindow> microbatch_windows(const Node& model, const MicrobatchSpec& spec,
                                            const WindowRequest& request) {
  UtcTime end = ceiling_time(request.event_time_end.value_or(request.now), spec.batch_size);
  UtcTime start;
  if (request.event_time_start) {
    start = truncate_time(*request.event_time_start, spec.batch_size);
  } else if (!request.incremental) {
    start = truncate_time(spec.begin, spec.batch_size);
  } else {
    // end is on a batch boundary: the current batch is the one ending there.
    start = offset_time(end, spec.batch_size, -(spec.lookback + 1));
  }
  if (start >= end) {
    throw usage_error("microbatch " + where(model) + ": nothing to build, the batches start at " +
                      format_utc_time(start) + " and end at " + format_utc_time(end) +
                      "; give --event-time-start before --event-time-end, or a begin before now");
  }
  std::vector<BatchWindow> out;
  for (UtcTime at = start; at < end; at = offset_time(at, spec.batch_size, 1))
    out.push_back({at, std::min(end, offset_time(at, spec.batch_size, 1))});
  return out;
}

std::string event_time_subquery(const std::string& relation, const std::string& event_time,
                                const BatchWindow& window) {
  return "(select * from " + relation + " where " + event_time +
         " >= " + sql_timestamp(window.start) + " and " + event_time + " < " +
         sql_timestamp(window.end) + ")";
}

std::vector<BatchOutcome> build_microbatch(Connection& conn, const std::string& schema,
                                           const std::string& name, const MicrobatchSpec& spec,
                                           const std::vector<BatchWindow>& windows,
                                           bool table_exists, const BatchRenderer& render,
                                           const BatchObserver& observe, RelationCatalog* catalog) {
  std::vector<BatchOutcome> out;
  std::string target = quote_identifier(schema) + "." + quote_identifier(name);
  bool exists = table_exists;
  for (std::size_t i = 0; i < windows.size(); ++i) {
    BatchOutcome b;
    b.window = windows[i];
    if (!exists && i > 0) {
      b.error = "not run: the first batch, which creates the table, failed";
      if (observe) observe(i, &b);
      out.push_back(std::move(b));
      continue;
    }
    if (observe) observe(i, nullptr);
    try {
      b.sql = render(b.window, exists);
      if (!exists) {
        b.rows = build_table(conn, schema, name, b.sql, catalog).rows;
        exists = true;
      } else {
        with_conflict_retry([&] {
          conn.transaction([&] {
            conn.execute("DELETE FROM " + target + " WHERE " + spec.event_time +
                         " >= " + sql_timestamp(b.window.start) + " AND " + spec.event_time +
                         " < " + sql_timestamp(b.window.end));
            Result inserted =
                conn.query("INSERT INTO " + target + " BY NAME SELECT * FROM (\n" + b.sql + "\n)");
            b.rows = inserted.row_count() == 1 && inserted.column_count() == 1
                         ? inserted.get_int64(0, 0)
                         : 0;
          });
        });
      }
      b.ok = true;
    } catch (const std::exception& e) {
      b.error = duckdb_message(e);
    }
    if (observe) observe(i, &b);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace baliza::transform
