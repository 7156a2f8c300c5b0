#include "ops/workflow_checks.h"

#include <chrono>
#include <set>

#include "core/error.h"
#include "transform/compiler.h"
#include "transform/relation.h"
#include "transform/selector.h"

namespace baliza::ops {
using transform::ResourceType;

std::string resolve_relation(const transform::Project& project, const std::string& relation) {
  if (const transform::Node* n = project.find_ref(relation)) return transform::relation_sql(*n);
  auto dot = relation.find('.');
  if (dot == std::string::npos) return quote_identifier(relation);
  return quote_identifier(relation.substr(0, dot)) + "." +
         quote_identifier(relation.substr(dot + 1));
}

std::vector<std::size_t> tests_of_selection(const transform::Project& project,
                                            const transform::Dag& dag,
                                            const std::vector<std::string>& select) {
  transform::SelectionRequest request;
  request.select = select;
  transform::Selection s = transform::select_nodes(project, dag, request);
  std::set<std::size_t> chosen(s.indexes.begin(), s.indexes.end());
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < dag.size(); ++i) {
    if (dag.node(i).resource_type != ResourceType::kTest) continue;
    bool take = chosen.count(i) > 0;
    for (std::size_t p : dag.parents(i)) take |= chosen.count(p) > 0;
    if (take) out.push_back(i);
  }
  return out;
}

namespace {

std::string plural(std::int64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

void row_count(const Check& c, CheckContext& ctx, CheckOutcome& out) {
  std::string rel = resolve_relation(ctx.project, c.relation);
  auto n = ctx.conn.scalar("SELECT count(*) FROM " + rel);
  out.rows = n ? std::stoll(*n) : 0;
  out.passed = (!c.min || out.rows >= *c.min) && (!c.max || out.rows <= *c.max);
  std::string range =
      (c.min ? std::to_string(*c.min) : "") + ".." + (c.max ? std::to_string(*c.max) : "");
  out.message = c.relation + " has " + plural(out.rows, "row") + " (expected " + range + ")";
}

void sql_assertion(const Check& c, CheckContext& ctx, CheckOutcome& out) {
  transform::Compiler compiler(ctx.project);
  std::string sql =
      compiler.render_text(c.sql, c.where + " (sql of check " + c.name + ")", nullptr);
  while (!sql.empty() &&
         (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back()))))
    sql.pop_back();
  Result r = ctx.conn.query("SELECT * FROM (" + sql + ") LIMIT 1001");
  out.rows = static_cast<std::int64_t>(r.row_count());
  out.passed = out.rows == 0;
  if (out.passed) {
    out.message = "the query returned no rows";
    return;
  }
  std::string sample;
  for (std::size_t col = 0; col < r.column_count(); ++col) {
    sample += (col ? ", " : "") + r.column_name(col) + "=" +
              (r.is_null(col, 0) ? "NULL" : r.get_string(col, 0));
  }
  out.message = "the query returned " +
                (out.rows > 1000 ? "more than 1000 rows" : plural(out.rows, "row")) +
                "; first: " + sample;
}

void data_tests(const Check& c, CheckContext& ctx, CheckOutcome& out) {
  std::vector<std::size_t> tests = tests_of_selection(ctx.project, ctx.dag, c.select);
  if (tests.empty()) {
    out.passed = false;
    out.message = "the selection has no data tests";
    return;
  }
  transform::RunSummary summary = ctx.run_tests(tests);
  std::string failed;
  int bad = 0, warned = 0;
  for (const transform::NodeResult& r : summary.results) {
    if (r.failures) out.rows += *r.failures;
    if (r.status == "warn") ++warned;
    if (r.status == "fail" || r.status == "error" || r.status == "skipped") {
      ++bad;
      auto idx = ctx.dag.index_of(r.unique_id);
      failed += (failed.empty() ? "" : ", ") + (idx ? ctx.dag.node(*idx).name : r.unique_id);
    }
  }
  out.passed = bad == 0;
  out.message = std::to_string(summary.results.size()) +
                " tests: " + std::to_string(summary.results.size() - bad - warned) + " passed" +
                (warned ? ", " + std::to_string(warned) + " warned" : "") +
                (bad ? ", " + std::to_string(bad) + " failed (" + failed + ")" : "");
}

void freshness(const Check& c, CheckContext& ctx, CheckOutcome& out) {
  std::string rel = resolve_relation(ctx.project, c.relation);
  Result r = ctx.conn.query("SELECT max(" + quote_identifier(c.column) +
                            ")::VARCHAR, "
                            "epoch(current_timestamp::TIMESTAMP) - epoch(max(" +
                            quote_identifier(c.column) + ")::TIMESTAMP), count(*) FROM " + rel);
  out.rows = r.get_int64(2, 0);
  if (r.is_null(0, 0)) {
    out.passed = false;
    out.message = c.relation + "." + c.column + " has no value (" + plural(out.rows, "row") + ")";
    return;
  }
  double age = r.get_double(1, 0);
  out.passed = age <= c.max_age_seconds;
  out.message = c.relation + "." + c.column + " latest " + r.get_string(0, 0) + " is " +
                std::to_string(static_cast<std::int64_t>(age)) + " s old (max " +
                std::to_string(static_cast<std::int64_t>(c.max_age_seconds)) + " s)";
}

}  // namespace

CheckOutcome run_check(const Check& check, CheckContext& context) {
  CheckOutcome out;
  out.name = check.name;
  out.severity = check.severity;
  auto start = std::chrono::steady_clock::now();
  try {
    switch (check.kind) {
      case Check::Kind::kRowCount:
        row_count(check, context, out);
        break;
      case Check::Kind::kSql:
        sql_assertion(check, context, out);
        break;
      case Check::Kind::kTests:
        data_tests(check, context, out);
        break;
      case Check::Kind::kFreshness:
        freshness(check, context, out);
        break;
    }
  } catch (const Error& e) {
    if (e.code() != ExitCode::kFailure) throw;  // a template mistake, a lock: not a check result
    out.passed = false;
    out.message = std::string("could not run: ") + e.what();
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace baliza::ops
