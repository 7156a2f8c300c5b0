#include "ui/ui_api.h"

#include <algorithm>
#include <map>

#include "core/error.h"

namespace baliza::ui {

using nlohmann::json;

json table_json(const TextTable& t) {
  json out;
  out["columns"] = t.names;
  json types = json::array();
  for (auto type : t.types) types.push_back(static_cast<int>(type));
  out["types"] = std::move(types);
  json rows = json::array();
  for (const auto& row : t.rows) {
    json line = json::array();
    for (const auto& cell : row) line.push_back(cell ? json(*cell) : json(nullptr));
    rows.push_back(std::move(line));
  }
  out["rows"] = std::move(rows);
  out["truncated"] = t.truncated;
  return out;
}

json UiApi::rows(const std::string& sql, const SqlParams& params) {
  return table_json(db_.query(sql, params));
}

json UiApi::summary() {
  json out;
  out["database"] = db_.database_path();
  out["tasks"] = rows(
      "SELECT status, count(*) AS tasks FROM planning.task_plan WHERE removed_at IS NULL "
      "GROUP BY 1 ORDER BY 1");
  out["pages"] = db_.query("SELECT count(*) FROM raw.api_requests").text(0, 0);
  out["source"] = db_.source();
  return out;
}

json UiApi::runs() {
  json out;
  out["runs"] = rows(
      "SELECT run_id, any_value(command) AS command, "
      "CASE WHEN bool_or(status IN ('failed','error')) THEN 'failed' "
      "WHEN bool_or(status = 'interrupted') THEN 'interrupted' "
      "WHEN bool_or(finished_at IS NULL) THEN 'running' ELSE 'ok' END AS status, "
      "min(started_at) AS started_at, max(finished_at) AS finished_at, "
      "round(epoch(coalesce(max(finished_at), now()::TIMESTAMP) - min(started_at)), 3) AS "
      "seconds, string_agg(DISTINCT message, '; ') FILTER (WHERE status IN "
      "('failed','error','interrupted')) AS errors "
      "FROM meta.execution_log GROUP BY run_id ORDER BY min(started_at) DESC LIMIT 200");
  out["stages"] = rows(
      "SELECT run_id, coalesce(stage, command) AS stage, status, started_at, finished_at, "
      "round(epoch(coalesce(finished_at, now()::TIMESTAMP) - started_at), 3) AS seconds, "
      "message FROM meta.execution_log WHERE run_id IN (SELECT run_id FROM meta.execution_log "
      "GROUP BY run_id ORDER BY min(started_at) DESC LIMIT 200) ORDER BY started_at");
  out["transforms"] = rows(
      "SELECT run_id, command, status, started_at, completed_at, elapsed_seconds, pass, warn, "
      "error, skip, total FROM meta.run_results ORDER BY started_at DESC LIMIT 200");
  return out;
}

json UiApi::live() {
  return rows(
      "WITH t AS (SELECT * FROM planning.task_plan WHERE removed_at IS NULL), "
      "p AS (SELECT task_id, count(*) AS pages, max(total_pages) AS total_pages, "
      "max(completed_at) AS last_at FROM runtime.task_results WHERE superseded_at IS NULL "
      "GROUP BY task_id), "
      "recent AS (SELECT t.endpoint_name, count(*) AS pages_last_minute FROM "
      "runtime.task_results r JOIN t USING (task_id) WHERE r.completed_at > "
      "now()::TIMESTAMP - INTERVAL 60 SECOND GROUP BY 1), "
      "throttled AS (SELECT endpoint, count(*) AS http_429 FROM meta.failed_requests WHERE "
      "http_status = 429 GROUP BY 1), "
      "per AS (SELECT t.endpoint_name, count(*) AS tasks, count(*) FILTER (WHERE t.status = "
      "'done') AS tasks_done, count(*) FILTER (WHERE t.status IN ('failed','partial')) AS "
      "tasks_failed, coalesce(sum(p.pages), 0) AS pages_done, "
      "coalesce(sum(CASE WHEN p.total_pages IS NULL THEN 1 ELSE greatest(p.total_pages, 1) "
      "END), 0) AS pages_expected, max(p.last_at) AS last_page_at FROM t LEFT JOIN p USING "
      "(task_id) GROUP BY 1) "
      "SELECT per.endpoint_name AS endpoint, tasks, tasks_done, tasks_failed, pages_done, "
      "pages_expected, round(coalesce(pages_last_minute, 0) / 60.0, 2) AS pages_per_second, "
      "coalesce(http_429, 0) AS http_429, CASE WHEN coalesce(pages_last_minute, 0) = 0 THEN "
      "NULL ELSE round((pages_expected - pages_done) / (pages_last_minute / 60.0)) END AS "
      "eta_seconds, last_page_at FROM per LEFT JOIN recent ON recent.endpoint_name = "
      "per.endpoint_name LEFT JOIN throttled ON throttled.endpoint = per.endpoint_name ORDER BY 1");
}

json UiApi::coverage() {
  return rows(
      "SELECT endpoint_name AS endpoint, strftime(data_date, '%Y-%m-%d') AS day, planned, done, "
      "partial, failed, pending, pages, records FROM planning.coverage ORDER BY 1, 2");
}

json UiApi::coverage_cell(const std::string& endpoint, const std::string& day) {
  json out;
  SqlParams p{endpoint, day};
  out["tasks"] = rows(
      "SELECT task_id, modalidade, status, attempts, last_error, params, updated_at FROM "
      "planning.task_plan WHERE endpoint_name = $1 AND data_date = $2::DATE ORDER BY "
      "modalidade, task_id",
      p);
  out["pages"] = rows(
      "SELECT r.task_id, r.page, r.http_status, r.payload_sha256, r.payload_size, "
      "r.collected_at, r.url FROM raw.api_requests r JOIN planning.task_plan t USING (task_id) "
      "WHERE t.endpoint_name = $1 AND t.data_date = $2::DATE ORDER BY r.task_id, r.page "
      "LIMIT 1000",
      p);
  out["failures"] = rows(
      "SELECT f.task_id, f.page, f.http_status, f.error_class, f.error_message, f.attempts, "
      "f.failed_at, f.resolved_at, f.url FROM meta.failed_requests f JOIN planning.task_plan t "
      "USING (task_id) WHERE t.endpoint_name = $1 AND t.data_date = $2::DATE ORDER BY "
      "f.failed_at LIMIT 1000",
      p);
  return out;
}

namespace {

std::string type_name(transform::ResourceType type) {
  return std::string(transform::to_string(type));
}

}  // namespace

json UiApi::model(const std::string& unique_id) {
  if (!project_.dag) throw usage_error("no project loaded");
  const transform::Dag& dag = *project_.dag;
  auto index = dag.index_of(unique_id);
  if (!index) throw usage_error("no node " + unique_id + " in the project");
  const transform::Node& n = dag.node(*index);
  json out = {{"id", n.unique_id},
              {"name", n.name},
              {"type", type_name(n.resource_type)},
              {"file", n.original_file_path},
              {"sql", n.raw_code},
              {"description", n.description}};
  json cols = json::array();
  for (const auto& c : n.columns) {
    cols.push_back({{"name", c.name}, {"description", c.description}, {"type", c.data_type}});
  }
  out["declared_columns"] = std::move(cols);
  json parents = json::array(), children = json::array();
  for (size_t p : dag.parents(*index)) parents.push_back(dag.id(p));
  for (size_t c : dag.children(*index)) children.push_back(dag.id(c));
  out["parents"] = std::move(parents);
  out["children"] = std::move(children);
  out["tests"] = n.tests;
  out["history"] = rows(
      "SELECT run_id, status, rows_affected, execution_time, completed_at, message FROM "
      "meta.node_results WHERE unique_id = $1 ORDER BY completed_at DESC NULLS LAST LIMIT 50",
      {n.unique_id});
  SqlParams tests;
  std::string in;
  for (size_t i = 0; i < n.tests.size(); ++i) {
    in += (i ? ", $" : "$") + std::to_string(i + 1);
    tests.push_back(n.tests[i]);
  }
  out["test_results"] = tests.empty()
                            ? table_json(TextTable{})
                            : rows(
                                  "SELECT unique_id, status, failures, completed_at, message FROM "
                                  "meta.node_results WHERE unique_id IN (" +
                                      in + ") ORDER BY completed_at DESC NULLS LAST LIMIT 200",
                                  tests);
  out["accounting"] = rows(
      "SELECT run_id, status, gate, input_rows, output_rows, filtered_rows, error_rows, equation, "
      "message, computed_at FROM meta.model_accounting WHERE unique_id = $1 ORDER BY computed_at "
      "DESC NULLS LAST LIMIT 50",
      {n.unique_id});
  out["ledger"] = rows(
      "SELECT line, kind, relation, reason, rows FROM meta.record_ledger WHERE unique_id = $1 AND "
      "run_id = (SELECT run_id FROM meta.model_accounting WHERE unique_id = $1 ORDER BY "
      "computed_at DESC NULLS LAST LIMIT 1) ORDER BY line",
      {n.unique_id});
  // The relation as built: its columns and types.
  out["columns"] = rows(
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE "
      "table_name = $1 ORDER BY table_schema, ordinal_position",
      {n.name});
  // Column lineage as the build stored it (src/lineage: lineage.columns), upstream and the
  // columns of other models that read this one (impact).
  if (db_.has_relation("lineage", "columns")) {
    out["column_lineage"] = rows(
        "SELECT column_name, input_relation, input_column, field_path, endpoints, "
        "transformation_type, subtype, known, reason FROM lineage.columns WHERE model = $1 "
        "ORDER BY ordinal, input_relation, input_column",
        {n.unique_id});
    out["column_impact"] = rows(
        "SELECT model, column_name, input_column, transformation_type, subtype FROM "
        "lineage.columns WHERE input_relation IN (SELECT DISTINCT relation FROM lineage.columns "
        "WHERE model = $1) ORDER BY model, ordinal LIMIT 2000",
        {n.unique_id});
  }
  return out;
}

json UiApi::quality() {
  json out;
  // The record ledger (src/lineage/run_accounting.h), or the older per-model accounting of a
  // database built before it.
  TextTable ledger = db_.query(
      "SELECT run_id, model, status, gate, input_rows, output_rows, filtered_rows, error_rows, "
      "equation, message, computed_at FROM meta.model_accounting ORDER BY computed_at DESC NULLS "
      "LAST, model LIMIT 500");
  out["accounting"] =
      ledger.row_count() > 0
          ? table_json(ledger)
          : rows(
                "SELECT run_id, model, raw_records, output_rows, filtered_older_versions, "
                "filter, quarantined, balanced, computed_at FROM meta.record_accounting ORDER BY "
                "computed_at DESC NULLS LAST, model LIMIT 500");
  TextTable tables = db_.query(
      "SELECT table_name FROM information_schema.columns WHERE table_schema = 'quarantine' AND "
      "column_name = 'failure_type' ORDER BY 1");
  json quarantine = json::array();
  for (size_t i = 0; i < tables.row_count(); ++i) {
    std::string relation = "quarantine." + quote_identifier(tables.text(0, i));
    json entry;
    entry["table"] = tables.text(0, i);
    entry["by_type"] = rows("SELECT failure_type, count(*) AS rows FROM " + relation +
                            " GROUP BY 1 ORDER BY 2 DESC");
    entry["samples"] = rows(
        "SELECT failure_type, CAST(offending_values AS VARCHAR) AS offending_values, "
        "request_id, record_position, payload_sha256 FROM " +
        relation +
        " QUALIFY row_number() OVER (PARTITION BY failure_type ORDER BY request_id, "
        "record_position) <= 5 ORDER BY failure_type");
    quarantine.push_back(std::move(entry));
  }
  out["quarantine"] = std::move(quarantine);
  out["drift"] = rows(
      "SELECT endpoint, fingerprint, first_seen_at, first_request_id, changes FROM "
      "meta.schema_versions ORDER BY first_seen_at DESC LIMIT 200");
  out["tests"] = rows(
      "SELECT n.run_id, n.unique_id, n.status, n.failures, n.completed_at, n.message FROM "
      "meta.node_results n WHERE n.resource_type = 'test' ORDER BY n.completed_at DESC NULLS "
      "LAST LIMIT 500");
  return out;
}

json UiApi::query(const std::string& sql, std::uint64_t offset, std::uint64_t limit) {
  // The guard checks the user's statement itself; paging happens over its result.
  TextTable all = db_.query(sql, {}, offset + limit);
  TextTable page;
  page.names = all.names;
  page.types = all.types;
  page.truncated = all.truncated;
  for (size_t r = offset; r < all.row_count(); ++r) page.rows.push_back(std::move(all.rows[r]));
  json out = table_json(page);
  out["offset"] = offset;
  return out;
}

std::string UiApi::query_csv(const std::string& sql) {
  TextTable t = db_.query(sql);
  auto field = [](const std::string& v) {
    if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    return out + "\"";
  };
  std::string out;
  for (size_t c = 0; c < t.column_count(); ++c) {
    if (c) out += ",";
    out += field(t.names[c]);  // appended apart: GCC 12 warns falsely (-Wrestrict) on a + b
  }
  out += "\n";
  for (size_t r = 0; r < t.row_count(); ++r) {
    for (size_t c = 0; c < t.column_count(); ++c) {
      if (c) out += ",";
      if (!t.is_null(c, r)) out += field(t.text(c, r));
    }
    out += "\n";
  }
  return out;
}

}  // namespace baliza::ui
