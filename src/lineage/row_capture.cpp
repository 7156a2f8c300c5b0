#include "lineage/row_capture.h"

#include <chrono>
#include <cstdio>

#include "core/error.h"
#include "lineage/flow_sql.h"
#include "lineage/rowid_lists.h"
#include "transform/compiler.h"
#include "transform/relation.h"

namespace baliza::lineage {
namespace {

using json = nlohmann::json;
using transform::Node;

void ensure_tables(Connection& conn) {
  conn.execute("CREATE SCHEMA IF NOT EXISTS lineage");
  conn.execute(
      "CREATE TABLE IF NOT EXISTS lineage.row_capture (model VARCHAR, output_rowid BIGINT, "
      "relation VARCHAR, input_rowid BIGINT)");
  conn.execute(
      "CREATE TABLE IF NOT EXISTS lineage.row_capture_runs (model VARCHAR PRIMARY KEY, run_id "
      "VARCHAR, relation VARCHAR, captured_at TIMESTAMP, status VARCHAR, message VARCHAR, "
      "output_rows BIGINT, matched_rows BIGINT, links BIGINT, input_rows JSON, seconds DOUBLE)");
}

std::int64_t count_rows(Connection& conn, const std::string& relation_sql) {
  Result r = conn.query("SELECT count(*) FROM " + relation_sql);
  return r.get_int64(0, 0);
}

RelationName split_label(const std::string& label) {
  auto dot = label.find('.');
  if (dot == std::string::npos) return {"", label};
  return {label.substr(0, dot), label.substr(dot + 1)};
}

void record(Connection& conn, const ModelCapture& c, const std::string& run_id,
            const json& input_rows) {
  conn.prepare(
          "INSERT OR REPLACE INTO lineage.row_capture_runs VALUES ($1, $2, $3, "
          "timezone('UTC', now()), $4, $5, $6, $7, $8, $9::JSON, $10)")
      .bind(1, c.model)
      .bind(2, run_id)
      .bind(3, c.relation)
      .bind(4, c.status)
      .bind(5, c.message)
      .bind(6, c.output_rows)
      .bind(7, c.matched_rows)
      .bind(8, c.links)
      .bind(9, input_rows.dump())
      .bind(10, c.seconds)
      .execute();
}

}  // namespace

bool capture_enabled(const Node& n) {
  if (!n.config.extra.is_object()) return false;
  auto it = n.config.extra.find("lineage_capture");
  return it != n.config.extra.end() && it->is_boolean() && it->get<bool>();
}

ModelCapture capture_model(Connection& conn, const ModelShape& shape, const std::string& model,
                           const RelationName& table, const std::string& run_id) {
  auto start = std::chrono::steady_clock::now();
  ModelCapture c;
  c.model = model;
  c.relation = table.label();
  ensure_tables(conn);
  json input_rows = json::object();
  try {
    FlowSql sql(conn);
    RowidLists rw(sql);
    std::vector<std::size_t> mine;
    std::optional<std::string> text = rw.rewrite(*shape.flow, mine);
    conn.prepare("DELETE FROM lineage.row_capture WHERE model = $1").bind(1, model).execute();
    if (!text) {
      c.status = "unsupported";
      c.message = rw.reason();
    } else {
      const std::string target = FlowSql::relation(table);
      Result cols = conn.prepare(
                            "SELECT column_name FROM duckdb_columns() WHERE lower(schema_name) = "
                            "lower($1) AND lower(table_name) = lower($2) ORDER BY column_index")
                        .bind(1, table.schema)
                        .bind(2, table.table)
                        .execute();
      std::string match;
      for (std::size_t i = 0; i < cols.row_count(); ++i) {
        const std::string q = quote_identifier(cols.get_string(0, i));
        match += (match.empty() ? "" : " AND ") + ("__t." + q + " IS NOT DISTINCT FROM __c." + q);
      }
      // Each rewritten node keeps its own WITH (the original CTEs stay visible to expression
      // subqueries; FROM references to them were replaced by rewritten subqueries).
      conn.execute("CREATE OR REPLACE TEMP TABLE __baliza_capture AS " + *text);
      conn.execute(
          "CREATE OR REPLACE TEMP TABLE __baliza_capture_match AS SELECT __t.rowid AS "
          "__out, __c.* FROM " +
          target + " AS __t JOIN __baliza_capture AS __c ON " + match);
      std::string links;
      for (std::size_t k : mine) {
        const std::string n = quote_identifier(RowidLists::slot_column(k));
        links += (links.empty() ? "" : " UNION ALL ") +
                 ("SELECT __out, " + quote_literal(rw.slots()[k].label()) +
                  " AS relation, unnest(" + n + ") AS input_rowid FROM __baliza_capture_match");
      }
      conn.transaction([&] {
        if (!links.empty())
          conn.prepare(
                  "INSERT INTO lineage.row_capture SELECT DISTINCT $1, __out, relation, "
                  "input_rowid FROM (" +
                  links + ") WHERE input_rowid IS NOT NULL")
              .bind(1, model)
              .execute();
      });
      c.output_rows = count_rows(conn, target);
      c.matched_rows = count_rows(conn, "(SELECT DISTINCT __out FROM __baliza_capture_match)");
      c.links = conn.prepare("SELECT count(*) FROM lineage.row_capture WHERE model = $1")
                    .bind(1, model)
                    .execute()
                    .get_int64(0, 0);
      for (const RelationName& r : rw.slots())
        input_rows[r.label()] = count_rows(conn, FlowSql::relation(r));
      c.status = c.matched_rows == c.output_rows ? "captured" : "partial";
      if (c.status == "partial")
        c.message = std::to_string(c.output_rows - c.matched_rows) +
                    " table row(s) match no captured row (a clock or random column?)";
      conn.execute("DROP TABLE IF EXISTS temp.__baliza_capture");
      conn.execute("DROP TABLE IF EXISTS temp.__baliza_capture_match");
    }
  } catch (const Error& e) {
    c.status = "failed";
    c.message = e.what();
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  record(conn, c, run_id, input_rows);
  return c;
}

RunCapture capture_run(Connection& conn, const transform::Project& project,
                       const transform::Dag& dag, const transform::RunSummary& summary) {
  auto start = std::chrono::steady_clock::now();
  RunCapture out;
  transform::Compiler compiler(project);
  for (const transform::NodeResult& r : summary.results) {
    auto index = dag.index_of(r.unique_id);
    if (!index || r.status != "success") continue;
    const Node& n = dag.node(*index);
    if (n.resource_type != transform::ResourceType::kModel || !capture_enabled(n)) continue;
    RelationName table{transform::node_schema(n), transform::node_identifier(n)};
    try {
      ModelShape shape = analyze_sql(conn, compiler.compile(n, false).sql);
      out.models.push_back(capture_model(conn, shape, n.name, table, summary.run_id));
    } catch (const Error& e) {
      out.models.push_back({n.name, table.label(), "failed", e.what(), 0, 0, 0, 0});
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

std::string RunCapture::describe() const {
  if (models.empty()) return {};
  std::string out;
  char buf[512];
  for (const ModelCapture& c : models) {
    std::snprintf(buf, sizeof buf,
                  "row capture: %s %s: %lld of %lld rows, %lld links (%.2fs)%s%s\n",
                  c.relation.c_str(), c.status.c_str(), static_cast<long long>(c.matched_rows),
                  static_cast<long long>(c.output_rows), static_cast<long long>(c.links), c.seconds,
                  c.message.empty() ? "" : ": ", c.message.c_str());
    out += buf;
  }
  return out;
}

std::optional<StoredCapture> stored_capture(Connection& conn, const std::string& model,
                                            const RelationName& table) {
  Result exists = conn.query(
      "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'lineage' AND table_name = "
      "'row_capture_runs'");
  if (exists.get_int64(0, 0) == 0) return std::nullopt;
  Result r = conn.prepare(
                     "SELECT status, output_rows, input_rows::VARCHAR FROM "
                     "lineage.row_capture_runs WHERE model = $1 AND relation = $2")
                 .bind(1, model)
                 .bind(2, table.label())
                 .execute();
  if (r.row_count() == 0) return std::nullopt;
  const std::string status = r.get_string(0, 0);
  if (status != "captured" && status != "partial") return std::nullopt;
  StoredCapture s;
  json inputs = json::parse(r.get_optional_string(2, 0).value_or("{}"), nullptr, false);
  std::int64_t now = count_rows(conn, FlowSql::relation(table));
  if (now != r.get_int64(1, 0))
    s.stale = table.label() + " has " + std::to_string(now) + " rows, " +
              std::to_string(r.get_int64(1, 0)) + " when captured";
  if (status == "partial" && s.stale.empty()) s.stale = "the capture is partial";
  if (inputs.is_object()) {
    for (auto it = inputs.begin(); it != inputs.end(); ++it) {
      s.relations.push_back(it.key());
      std::int64_t rows = 0;
      try {
        rows = count_rows(conn, FlowSql::relation(split_label(it.key())));
      } catch (const Error&) {
        rows = -1;
      }
      if (s.stale.empty() && rows != it->get<std::int64_t>())
        s.stale = it.key() + " has " + std::to_string(rows) + " rows, " +
                  std::to_string(it->get<std::int64_t>()) + " when captured";
    }
  }
  // Rowids of a rebuilt table are not the ones captured: a relation the project built after the
  // capture (meta.node_results, UTC like captured_at) makes it stale even with equal counts.
  Result logged = conn.query(
      "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = "
      "'node_results'");
  if (s.stale.empty() && logged.get_int64(0, 0) > 0) {
    std::string names = quote_literal(table.label());
    for (const std::string& r : s.relations) names += ", " + quote_literal(r);
    Result rebuilt =
        conn.prepare(
                "SELECT n.relation, max(n.completed_at)::VARCHAR FROM meta.node_results "
                "n, lineage.row_capture_runs c WHERE c.model = $1 AND n.status = "
                "'success' AND n.relation IN (" +
                names +
                ") AND n.completed_at::TIMESTAMP > c.captured_at GROUP BY ALL ORDER "
                "BY 1 LIMIT 1")
            .bind(1, model)
            .execute();
    if (rebuilt.row_count() > 0)
      s.stale = rebuilt.get_string(0, 0) + " was rebuilt at " + rebuilt.get_string(1, 0) +
                " (UTC), after the capture";
  }
  if (!s.stale.empty()) s.stale += ": rebuild the model to capture again";
  return s;
}

std::string captured_backward_sql(const std::string& model, const std::string& relation,
                                  const std::string& output_rowids) {
  return "SELECT DISTINCT input_rowid AS rowid, 1 AS __rank FROM lineage.row_capture WHERE model "
         "= " +
         quote_literal(model) + " AND relation = " + quote_literal(relation) +
         " AND output_rowid IN (SELECT rowid FROM (" + output_rowids + "))";
}

std::string captured_forward_sql(const std::string& model, const std::string& relation,
                                 const std::string& input_rowids) {
  return "SELECT DISTINCT output_rowid AS rowid FROM lineage.row_capture WHERE model = " +
         quote_literal(model) + " AND relation = " + quote_literal(relation) +
         " AND input_rowid IN (SELECT rowid FROM (" + input_rowids + "))";
}

}  // namespace baliza::lineage
