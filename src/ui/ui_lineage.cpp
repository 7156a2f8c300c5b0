// The Lineage views of `baliza ui`: rows of a model to pick from, the trace of a picked row back
// to its raw pages and JSON records, and the impact of a raw page or rows downstream. Trace and
// impact are the lineage layer's (lineage/explain.h, as `baliza trace` / `baliza impact`); this
// file only chooses the rows, pages the samples and shapes the JSON.
#include <algorithm>

#include "core/error.h"
#include "lineage/explain.h"
#include "transform/relation.h"
#include "ui/ui_api.h"

namespace baliza::ui {

using nlohmann::json;

namespace {

constexpr std::uint64_t kMaxSampleEnd = 10000;  // offset + limit of a trace's samples

const transform::Node& find_node(const ProjectView& project, const std::string& name) {
  if (!project.project) throw usage_error("no project loaded: lineage needs the project's models");
  const transform::Node* n = project.project->find_ref(name);
  if (!n) {
    // schema.table of a built node also names it.
    for (const transform::Node& candidate : project.project->nodes) {
      if (candidate.resource_type == transform::ResourceType::kTest) continue;
      if (transform::relation_label(candidate) == name) n = &candidate;
    }
  }
  if (!n) throw usage_error("no model or seed '" + name + "' in the project");
  return *n;
}

// Keeps samples[offset, offset + limit) of every level; says whether a level has more.
json page_levels(const lineage::ExplainResult& r, std::uint64_t offset, std::uint64_t limit) {
  json out = r.to_json();
  for (json& level : out["levels"]) {
    json& sample = level["sample"];
    std::uint64_t size = sample.size();
    level["has_more"] = size >= offset + limit;
    json page = json::array();
    for (std::uint64_t i = offset; i < size && i < offset + limit; ++i)
      page.push_back(std::move(sample[i]));
    sample = std::move(page);
  }
  out["offset"] = offset;
  out["limit"] = limit;
  return out;
}

}  // namespace

std::string UiApi::row_predicate(const std::string& relation_sql, const RowChoice& row) {
  if (!row.where.empty()) {
    // The user's predicate passes the read guard as part of a whole SELECT first (no writes,
    // no file reads, one statement); the engine then runs it on a read-only connection with
    // external access off.
    db_.query("SELECT count(*) FROM " + relation_sql + " WHERE (" + row.where + ")");
    return "(" + row.where + ")";
  }
  if (!row.column.empty())
    return quote_identifier(row.column) + "::VARCHAR = " + quote_literal(row.value);
  return "";
}

json UiApi::lineage_rows(const std::string& model, std::uint64_t offset, std::uint64_t limit) {
  const transform::Node& n = find_node(project_, model);
  json out;
  out["model"] = n.name;
  out["relation"] = transform::relation_label(n);
  out["type"] = std::string(transform::to_string(n.resource_type));
  out["unique_key"] = n.config.unique_key;
  TextTable t = db_.query("SELECT * FROM " + transform::relation_sql(n) + " LIMIT " +
                          std::to_string(limit + 1) + " OFFSET " + std::to_string(offset));
  bool more = t.row_count() > limit;
  if (more) t.rows.pop_back();
  out["rows"] = table_json(t);
  out["rows"]["truncated"] = more;
  out["offset"] = offset;
  return out;
}

json UiApi::trace(const std::string& model, const RowChoice& row, std::uint64_t offset,
                  std::uint64_t limit) {
  const transform::Node& n = find_node(project_, model);
  if (offset + limit > kMaxSampleEnd)
    throw usage_error("a trace pages its samples up to row " + std::to_string(kMaxSampleEnd) +
                      "; use `baliza trace` or a query for more");
  std::string where = row_predicate(transform::relation_sql(n), row);
  json out;
  db_.with_connection([&](Connection& conn) {
    lineage::TraceOptions o;
    o.where = !where.empty() || row.value.empty()
                  ? where
                  : lineage::key_predicate(conn, *project_.project, n.name, row.value);
    if (o.where.empty()) throw usage_error("pick a row: give column and value, or where");
    o.limit = static_cast<int>(offset + limit);
    o.show_json = true;
    lineage::ExplainResult r = lineage::trace(conn, *project_.project, n.name, o);
    out = page_levels(r, offset, limit);
    out["where"] = o.where;
  });
  out["model"] = n.name;
  out["relation"] = transform::relation_label(n);
  return out;
}

json UiApi::impact(const std::string& page, const std::string& model, const RowChoice& row,
                   const std::string& field, std::uint64_t limit) {
  if (!project_.project) throw usage_error("no project loaded: impact needs the project's models");
  lineage::ImpactStart start;
  start.column = field;
  if (!page.empty()) {
    start.page = page;
  } else {
    const transform::Node& n = find_node(project_, model);
    start.relation = n.name;
    start.where = row_predicate(transform::relation_sql(n), row);
  }
  json out;
  db_.with_connection([&](Connection& conn) {
    if (start.page.empty() && start.where.empty() && !row.value.empty())
      start.where = lineage::key_predicate(conn, *project_.project, start.relation, row.value);
    lineage::ImpactOptions o;
    o.limit = static_cast<int>(limit);
    out = lineage::impact(conn, *project_.project, start, o).to_json();
  });
  out["page"] = start.page;
  out["model"] = start.relation;
  out["where"] = start.where;
  out["field"] = field;
  return out;
}

}  // namespace baliza::ui
