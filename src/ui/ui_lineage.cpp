// The Lineage views of `baliza ui`: rows of a model to pick from, the trace of a picked row back
// to its raw pages and JSON records, and the impact of a raw page or rows downstream. Trace and
// impact are the lineage layer's (lineage/explain.h, as `baliza trace` / `baliza impact`); this
// file only chooses the rows, pages the samples and shapes the JSON.
#include <algorithm>

#include "core/error.h"
#include "ops/explain_request.h"
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
json page_levels(json out, std::uint64_t offset, std::uint64_t limit) {
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

// The request picking row of node: by where (checked by the read guard where the request runs,
// ops/explain_request.h), by column = value (compared as text), else by its unique key's value.
ops::ExplainRequest UiApi::row_request(const std::string& op, const transform::Node& n,
                                       const RowChoice& row) {
  ops::ExplainRequest request;
  request.op = op;
  request.project = project_.project->root;
  request.model = n.name;
  if (!row.where.empty()) {
    request.where = row.where;
  } else if (!row.column.empty()) {
    request.where = quote_identifier(row.column) + "::VARCHAR = " + quote_literal(row.value);
  } else {
    request.key = row.value;
  }
  return request;
}

ops::ExplainAnswer UiApi::explain(const ops::ExplainRequest& request) {
  ops::ExplainAnswer answer;
  // While another process holds the database, its read socket runs the engine (the holder's
  // read procedure); else this process does, on the file opened read-only.
  db_.with_reader([&](Reader& reader) { answer = ops::explain(reader, request); });
  return answer;
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
  ops::ExplainRequest request = row_request("trace", n, row);
  if (request.where.empty() && request.key.empty())
    throw usage_error("pick a row: give column and value, or where");
  request.limit = static_cast<int>(offset + limit);
  request.show_json = true;
  ops::ExplainAnswer a = explain(request);
  json out = page_levels(a.result, offset, limit);
  out["where"] = a.where;
  out["model"] = n.name;
  out["relation"] = transform::relation_label(n);
  return out;
}

json UiApi::impact(const std::string& page, const std::string& model, const RowChoice& row,
                   const std::string& field, std::uint64_t limit) {
  if (!project_.project) throw usage_error("no project loaded: impact needs the project's models");
  ops::ExplainRequest request;
  if (!page.empty()) {
    request.op = "impact";
    request.project = project_.project->root;
    request.page = page;
  } else {
    request = row_request("impact", find_node(project_, model), row);
  }
  request.column = field;
  request.limit = static_cast<int>(limit);
  ops::ExplainAnswer a = explain(request);
  json out = a.result;
  out["page"] = request.page;
  out["model"] = request.model;
  out["where"] = a.where;
  out["field"] = field;
  return out;
}

}  // namespace baliza::ui
