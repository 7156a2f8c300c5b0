#include "lineage/explain.h"

#include <map>
#include <memory>
#include <optional>
#include <set>

#include "core/error.h"
#include "lineage/column_impact.h"
#include "lineage/project_lineage.h"
#include "lineage/row_capture.h"
#include "lineage/row_links.h"
#include "transform/compiler.h"
#include "transform/dag.h"
#include "transform/relation.h"

namespace baliza::lineage {
namespace {

using json = nlohmann::json;
using transform::Node;
using transform::ResourceType;

constexpr int kMaxDepth = 24;
constexpr std::size_t kInlineIds = 50000;  // larger rowid sets stay as subqueries

std::int64_t count_rows(Connection& conn, const std::string& rows_sql) {
  Result r = conn.query("SELECT count(*) FROM (" + rows_sql + ")");
  return r.row_count() ? r.get_int64(0, 0) : 0;
}

json sample_rows(Connection& conn, const std::string& rows_sql, int limit) {
  json out = json::array();
  if (limit <= 0) return out;
  Result r = conn.query("SELECT to_json(__t)::VARCHAR FROM (" + rows_sql + ") AS __t LIMIT " +
                        std::to_string(limit));
  for (std::size_t i = 0; i < r.row_count(); ++i)
    out.push_back(json::parse(r.get_string(0, i), nullptr, false));
  return out;
}

RelationName split_label(const std::string& label) {
  auto dot = label.find('.');
  if (dot == std::string::npos) return {"", label};
  return {label.substr(0, dot), label.substr(dot + 1)};
}

// What the explainer knows about the project: nodes by relation, analysed models.
struct Explainer {
  Connection& conn;
  const transform::Project& project;
  transform::Compiler compiler{project};
  FlowSql sql{conn};
  Catalog catalog{conn};
  std::map<std::string, const Node*> by_relation;  // lower-case label -> node
  struct Analysed {
    std::unique_ptr<ModelShape> shape;
    ModelLinks links;
    std::string error;
  };
  std::map<const Node*, Analysed> analysed;

  Explainer(Connection& c, const transform::Project& p) : conn(c), project(p) {
    for (const Node& n : project.nodes) {
      if (n.resource_type == ResourceType::kTest) continue;
      if (n.resource_type == ResourceType::kModel && n.config.materialized == "ephemeral") continue;
      std::string label = transform::relation_label(n);
      for (char& ch : label) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      by_relation[label] = &n;
    }
  }

  const Node* node_of(const std::string& label) {
    std::string l = label;
    for (char& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto it = by_relation.find(l);
    return it == by_relation.end() ? nullptr : it->second;
  }

  const Node* find(const std::string& name) {
    if (const Node* n = project.find_ref(name)) return n;
    return node_of(name);
  }

  Analysed& analyse(const Node& n) {
    auto it = analysed.find(&n);
    if (it != analysed.end()) return it->second;
    Analysed a;
    try {
      a.shape = std::make_unique<ModelShape>(analyze_sql(conn, compiler.compile(n, false).sql));
      a.links = link_model(sql, catalog, *a.shape,
                           {transform::node_schema(n), transform::node_identifier(n)});
    } catch (const std::exception& e) {
      a.error = e.what();
    }
    return analysed.emplace(&n, std::move(a)).first->second;
  }

  std::string kind_of(const std::string& label, const Node* n) {
    if (iequals(label, "raw.api_requests")) return "raw page";
    if (!n) return "relation";
    return std::string(transform::to_string(n->resource_type));
  }
};

// The pages and positions of the records behind rows of a model that unnests raw pages.
void add_records(Explainer& ex, const ModelLinks& links, const OriginInput& pages,
                 const std::string& selected, ExplainLevel& level, int limit, bool show_json,
                 ExplainResult& result) {
  std::string on;
  for (const auto& [mcol, rcol] : pages.columns)
    on += (on.empty() ? "" : " AND ") +
          ("__r." + quote_identifier(rcol) + " IS NOT DISTINCT FROM __s." + quote_identifier(mcol));
  std::string pos = "__s." + quote_identifier(links.position_column);
  std::string path;  // the record's JSON path in its page, e.g. $."data"[3]."itens"[0]
  for (const auto& [segment, column] : links.outer_json)
    path += quote_literal(segment) + " || '[' || __s." + quote_identifier(column) + " || ']' || ";
  path += quote_literal(links.json_path) + " || '[' || " + pos + " || ']'";
  std::string record =
      show_json ? ", json_extract(baliza_payload(__p.compressed), " + path + ")::VARCHAR AS record"
                : "";
  Result r = ex.conn.query(
      "SELECT __r.endpoint, __r.url, __r.page, __r.collected_at::VARCHAR, __r.payload_sha256, " +
      pos + ", __p.payload_sha256 IS NOT NULL AS stored, " + path + " AS path" + record +
      " FROM (" + selected + ") AS __s JOIN raw.api_requests AS __r ON " + on +
      " LEFT JOIN raw.payloads AS __p ON __p.payload_sha256 = __r.payload_sha256 LIMIT " +
      std::to_string(limit));
  json records = json::array();
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    json rec = {{"endpoint", r.get_string(0, i)},
                {"url", r.get_string(1, i)},
                {"page", r.get_int64(2, i)},
                {"collected_at", r.get_string(3, i)},
                {"payload_sha256", r.get_string(4, i)},
                {"position", r.get_int64(5, i)},
                {"json_path", r.get_optional_string(7, i).value_or("")}};
    if (!r.get_bool(6, i)) {
      rec["stored"] = false;
      result.complete = false;
      level.notes.push_back("page " + r.get_string(4, i) + " is not in raw.payloads");
    }
    if (show_json) {
      auto text = r.get_optional_string(8, i);
      rec["record"] = text ? json::parse(*text, nullptr, false) : json();
      if (!text) {
        result.complete = false;
        level.notes.push_back("no record at " + r.get_optional_string(7, i).value_or("?") +
                              " of page " + r.get_string(4, i));
      }
    }
    records.push_back(std::move(rec));
  }
  level.sample = records;
}

void trace_model(Explainer& ex, const Node& node, const std::string& selected,
                 const std::string& selected_rowids, int depth, const TraceOptions& o,
                 ExplainResult& result);

// Runs a (rowid, __rank) query once and returns it as literal lists, so that the levels below
// do not run every level above again (a trace nests one query per level).
std::string materialize_ranked(Connection& conn, const std::string& rowids) {
  Result r =
      conn.query("SELECT rowid, min(__rank) FROM (" + rowids + ") GROUP BY rowid ORDER BY rowid");
  if (r.row_count() > kInlineIds) return rowids;
  std::string ids, ranks;
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    if (i) {
      ids += ',';
      ranks += ',';
    }
    ids += r.get_string(0, i);
    ranks += r.get_string(1, i);
  }
  return "SELECT unnest([" + ids + "]::BIGINT[]) AS rowid, unnest([" + ranks +
         "]::BIGINT[]) AS __rank";
}

void trace_input(Explainer& ex, const std::string& label, const std::string& rowids_sql,
                 const std::string& via, int depth, const TraceOptions& o, ExplainResult& result,
                 bool ranked, bool skip_empty = false) {
  const Node* n = ex.node_of(label);
  RelationName rel = split_label(label);
  const std::string rowids = materialize_ranked(ex.conn, rowids_sql);
  std::string rows = "SELECT * FROM " + FlowSql::relation(rel) +
                     " WHERE rowid IN (SELECT rowid FROM (" + rowids + "))";
  ExplainLevel level;
  level.depth = depth;
  level.relation = label;
  level.kind = ex.kind_of(label, n);
  level.via = via;
  level.rows = count_rows(ex.conn, rows);
  if (skip_empty && level.rows == 0) return;  // a union operand that fed none of these rows
  if (ranked) {
    Result r = ex.conn.query(
        "SELECT count(DISTINCT rowid) FILTER (WHERE __rank = 1), count(DISTINCT "
        "rowid) FILTER (WHERE __rank > 1) FROM (" +
        rowids + ")");
    level.kept = r.get_int64(0, 0);
    level.superseded = r.get_int64(1, 0);
    Result s = ex.conn.query(
        "SELECT CASE WHEN min(__b.__rank) = 1 THEN 'kept' ELSE 'superseded' END, "
        "to_json(any_value(__t))::VARCHAR FROM " +
        FlowSql::relation(rel) + " AS __t JOIN (" + rowids +
        ") AS __b ON __t.rowid = __b.rowid GROUP BY "
        "__t.rowid ORDER BY min(__b.__rank), __t.rowid LIMIT " +
        std::to_string(o.limit));
    for (std::size_t i = 0; i < s.row_count(); ++i) {
      json row = json::parse(s.get_string(1, i), nullptr, false);
      row["_version"] = s.get_string(0, i);
      level.sample.push_back(row);
    }
  } else if (level.kind != "raw page") {
    level.sample = sample_rows(ex.conn, rows, o.limit);
  }
  if (n && n->resource_type == ResourceType::kSeed)
    level.notes.push_back("seed file " + n->original_file_path);
  result.levels.push_back(std::move(level));
  if (n && n->resource_type == ResourceType::kModel)
    trace_model(ex, *n, rows, "SELECT rowid FROM (" + rowids + ")", depth, o, result);
}

void trace_model(Explainer& ex, const Node& node, const std::string& selected,
                 const std::string& selected_rowids, int depth, const TraceOptions& o,
                 ExplainResult& result) {
  ExplainLevel& level = result.levels.back();
  if (depth > kMaxDepth) {
    level.notes.push_back("stopped: deeper than " + std::to_string(kMaxDepth) + " levels");
    result.complete = false;
    return;
  }
  // A row capture made at build time (row_capture.h) is exact: use it while it is valid.
  RelationName table{transform::node_schema(node), transform::node_identifier(node)};
  if (auto cap = stored_capture(ex.conn, node.name, table)) {
    if (cap->stale.empty()) {
      level.notes.push_back("input rows from the row capture made at build time");
      for (const std::string& rel : cap->relations)
        trace_input(ex, rel, captured_backward_sql(node.name, rel, selected_rowids),
                    "rows captured at build time (lineage.row_capture)", depth + 1, o, result,
                    false, true);
      return;
    }
    level.notes.push_back("row capture not used: " + cap->stale);
  }
  Explainer::Analysed& a = ex.analyse(node);
  if (!a.error.empty() || !a.links.traceable()) {
    level.notes.push_back("cannot trace further: " + (a.error.empty() ? a.links.reason : a.error));
    result.complete = false;
    return;
  }
  const ModelLinks& links = a.links;
  const std::string via = describe(*links.counted);
  // An aggregation: the model's SQL over the traced rows gives the selected rows back.
  if (links.counted->aggregate) {
    if (auto again = recompute_sql(ex.sql, *a.shape, links, selected)) {
      std::int64_t missing = count_rows(ex.conn, "(" + selected + ") EXCEPT ALL (" + *again + ")");
      std::int64_t extra = count_rows(ex.conn, "(" + *again + ") EXCEPT ALL (" + selected + ")");
      if (missing == 0 && extra == 0) {
        level.notes.push_back("re-aggregating the rows below with the model's SQL gives these " +
                              std::to_string(level.rows) + " row(s) back: counts and sums match");
      } else {
        level.notes.push_back("MISMATCH: re-aggregating the rows below gives " +
                              std::to_string(extra) + " row(s) not in the table and misses " +
                              std::to_string(missing));
        result.complete = false;
      }
    }
  }
  for (const DirectInput& in : links.direct) {
    std::string rowids = backward_direct_sql(ex.sql, links, in, selected);
    trace_input(ex, in.relation.label(), rowids, via, depth + 1, o, result,
                !links.dedup_partition.empty(), in.carried);
  }
  for (const SemiInput& in : links.semi)
    trace_input(ex, in.relation.label(), backward_semi_sql(links, in, selected),
                via + " (rows whose key its WHERE ... IN (SELECT ..) finds)", depth + 1, o, result,
                false);
  for (const OriginInput& in : links.origins) {
    std::string rowids = backward_origin_sql(in, selected);
    std::string cols;
    for (const auto& [m, r] : in.columns) cols += (cols.empty() ? "" : ", ") + m;
    trace_input(ex, in.relation.label(), rowids, via + " (rows identified by " + cols + ")",
                depth + 1, o, result, false);
    if (iequals(in.relation.label(), "raw.api_requests") && !links.position_column.empty())
      add_records(ex, links, in, selected, result.levels.back(), o.limit, o.show_json, result);
  }
}

std::string label_of(const Node& n) {
  return transform::relation_label(n);
}

}  // namespace

json ExplainResult::to_json() const {
  json levels_json = json::array();
  for (const ExplainLevel& l : levels) {
    json j = {{"depth", l.depth},
              {"relation", l.relation},
              {"kind", l.kind},
              {"rows", l.rows},
              {"sample", l.sample}};
    if (!l.via.empty()) j["via"] = l.via;
    if (l.kept >= 0) {
      j["kept"] = l.kept;
      j["superseded"] = l.superseded;
    }
    if (!l.notes.empty()) j["notes"] = l.notes;
    if (!l.columns.empty()) {
      json cols = json::array();
      for (const auto& [c, how] : l.columns) cols.push_back({{"column", c}, {"how", how}});
      j["columns"] = cols;
    }
    if (!l.rows_shaped.empty()) j["rows_shaped"] = l.rows_shaped;
    levels_json.push_back(std::move(j));
  }
  return {{"complete", complete}, {"levels", levels_json}};
}

std::string ExplainResult::to_text() const {
  std::string out;
  for (const ExplainLevel& l : levels) {
    std::string indent(static_cast<std::size_t>(l.depth) * 2, ' ');
    out += indent + (l.depth ? "<- " : "") + l.relation + " (" + l.kind +
           "): " + std::to_string(l.rows) + " row(s)";
    if (l.kept >= 0)
      out +=
          ", " + std::to_string(l.kept) + " kept, " + std::to_string(l.superseded) + " superseded";
    out += "\n";
    if (!l.via.empty()) out += indent + "   via " + l.via + "\n";
    if (!l.rows_shaped.empty()) {
      out += indent + "   rows may appear, disappear or move (" + l.rows_shaped +
             "): every column may change\n";
    } else if (!l.columns.empty()) {
      out += indent + "   columns that change:";
      for (std::size_t i = 0; i < l.columns.size(); ++i)
        out += (i ? ", " : " ") + l.columns[i].first + " (" + l.columns[i].second + ")";
      out += "\n";
    }
    for (const std::string& n : l.notes) out += indent + "   " + n + "\n";
    for (const json& row : l.sample) out += indent + "   " + row.dump() + "\n";
  }
  if (!complete) out += "INCOMPLETE: a step could not be followed or a check failed (see above)\n";
  return out;
}

std::string key_predicate(Connection& conn, const transform::Project& project,
                          const std::string& model, const std::string& value) {
  Explainer ex(conn, project);
  const Node* n = ex.find(model);
  if (!n) throw usage_error("unknown model '" + model + "'");
  std::vector<std::string> keys = n->config.unique_key;
  if (keys.empty() && n->resource_type == ResourceType::kModel) {
    Explainer::Analysed& a = ex.analyse(*n);
    if (a.links.traceable() && (a.links.counted->aggregate || !a.links.dedup_partition.empty()))
      for (const RowKey& k : a.links.keys) keys.push_back(k.column);
  }
  if (keys.size() != 1)
    throw usage_error("--key needs a model with a one-column unique key (config unique_key); " +
                      label_of(*n) + " has " + std::to_string(keys.size()) + "; use --where");
  return quote_identifier(keys[0]) + "::VARCHAR = " + quote_literal(value);
}

ExplainResult trace(Connection& conn, const transform::Project& project, const std::string& model,
                    const TraceOptions& o) {
  Explainer ex(conn, project);
  const Node* n = ex.find(model);
  if (!n || (n->resource_type != ResourceType::kModel && n->resource_type != ResourceType::kSeed))
    throw usage_error("unknown model '" + model + "' (baliza ls lists the project's models)");
  const std::string label = label_of(*n);
  std::string selected =
      "SELECT * FROM " + transform::relation_sql(*n) + (o.where.empty() ? "" : " WHERE " + o.where);
  ExplainResult result;
  ExplainLevel top;
  top.relation = label;
  top.kind = ex.kind_of(label, n);
  try {
    top.rows = count_rows(conn, selected);
  } catch (const Error& e) {
    throw usage_error("cannot select rows of " + label + " with --where \"" + o.where +
                      "\": " + e.what());
  }
  if (top.rows == 0) throw usage_error("no row of " + label + " matches: " + o.where);
  top.sample = sample_rows(conn, selected, o.limit);
  result.levels.push_back(std::move(top));
  if (n->resource_type == ResourceType::kModel)
    trace_model(ex, *n, selected,
                "SELECT rowid FROM " + transform::relation_sql(*n) +
                    (o.where.empty() ? "" : " WHERE " + o.where),
                0, o, result);
  return result;
}

namespace {

// The columns downstream of the start's column, over the project's column lineage.
ColumnImpact column_impact_of(Explainer& ex, const transform::Dag& dag, const ImpactStart& start,
                              const RelationName& start_rel, ExplainLevel& first) {
  RelationName rel = start_rel;
  std::string column = start.column, field;
  if (!start.page.empty()) {
    rel = {"raw", "payloads"};
    column = "compressed";
    field = start.column;
    first.notes.push_back("changed: the field " + field + " of the page's records");
  } else {
    auto cols = ex.catalog.columns(start_rel);
    bool found = false;
    if (cols)
      for (const std::string& c : *cols) found = found || iequals(c, column);
    if (!found) {
      std::string names;
      if (cols)
        for (const std::string& c : *cols) names += (names.empty() ? "" : ", ") + c;
      throw usage_error(start_rel.label() + " has no column " + column +
                        (names.empty() ? std::string() : "; its columns: " + names));
    }
    first.notes.push_back("changed: the column " + column);
  }
  ProjectLineage lineage;
  lineage.preload_catalog(ex.conn);
  for (std::size_t i : dag.topological_order()) {
    const Node& n = dag.node(i);
    if (n.resource_type != ResourceType::kModel) continue;
    try {
      lineage.add_model(n, ex.compiler.compile(n, false).sql, ex.conn);
    } catch (const std::exception& e) {
      lineage.add_model(n, nullptr, e.what(), ex.conn);
    }
  }
  ColumnImpact out = column_impact(lineage, rel, column, field);
  if (out.models.empty())
    first.notes.push_back("no model column derives from it: nothing downstream changes");
  return out;
}

}  // namespace

ExplainResult impact(Connection& conn, const transform::Project& project, const ImpactStart& start,
                     const ImpactOptions& o) {
  Explainer ex(conn, project);
  ExplainResult result;
  transform::Dag dag = transform::Dag::build(project);
  // affected relation label (lower case) -> SQL of the affected rowids
  std::map<std::string, std::string> affected;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  auto inline_ids = [&](const std::string& ids_sql) {
    Result r = conn.query("SELECT DISTINCT rowid FROM (" + ids_sql + ") ORDER BY 1");
    if (r.row_count() > kInlineIds) return ids_sql;
    std::string list;
    for (std::size_t i = 0; i < r.row_count(); ++i) {
      if (i) list += ',';
      list += r.get_string(0, i);
    }
    return "SELECT unnest([" + list + "]::BIGINT[]) AS rowid";
  };
  ExplainLevel first;
  std::string start_label;
  std::string start_ids;
  if (!start.page.empty()) {
    Result r = conn.prepare(
                       "SELECT count(DISTINCT payload_sha256), min(payload_sha256) FROM "
                       "raw.api_requests WHERE payload_sha256 LIKE $1 || '%'")
                   .bind(1, start.page)
                   .execute();
    if (r.get_int64(0, 0) == 0)
      throw usage_error("no raw page has a sha256 starting with " + start.page);
    if (r.get_int64(0, 0) > 1)
      throw usage_error("sha256 prefix " + start.page + " is ambiguous: " + r.get_string(0, 0) +
                        " pages match; give more characters");
    start_label = "raw.api_requests";
    start_ids = "SELECT rowid FROM raw.api_requests WHERE payload_sha256 = " +
                quote_literal(r.get_string(1, 0));
  } else if (!start.relation.empty()) {
    const Node* n = ex.find(start.relation);
    start_label = n ? label_of(*n) : start.relation;
    RelationName rel = split_label(start_label);
    start_ids = "SELECT rowid FROM " + FlowSql::relation(rel) +
                (start.where.empty() ? "" : " WHERE " + start.where);
  } else {
    throw usage_error(
        "impact needs --page <sha256 prefix> or --relation <name> [--where <predicate>]");
  }
  RelationName start_rel = split_label(start_label);
  std::optional<ColumnImpact> columns;
  if (!start.column.empty()) columns = column_impact_of(ex, dag, start, start_rel, first);
  first.relation = start_label;
  first.kind = ex.kind_of(start_label, ex.node_of(start_label));
  start_ids = inline_ids(start_ids);
  std::string rows =
      "SELECT * FROM " + FlowSql::relation(start_rel) + " WHERE rowid IN (" + start_ids + ")";
  first.rows = count_rows(conn, rows);
  if (first.rows == 0) throw usage_error("no row of " + start_label + " matches");
  first.sample = sample_rows(conn, rows, o.limit);
  result.levels.push_back(std::move(first));
  affected[lower(start_label)] = start_ids;

  std::set<std::string> unknown;  // relations whose downstream could not be followed
  for (std::size_t i : dag.topological_order()) {
    const Node& n = dag.node(i);
    if (n.resource_type != ResourceType::kModel || n.config.materialized == "ephemeral") continue;
    const std::string label = label_of(n);
    if (affected.count(lower(label))) continue;
    const ModelColumnImpact* changed = columns ? columns->find(label) : nullptr;
    if (columns && !changed) continue;  // none of its columns derives from the changed column
    Explainer::Analysed& a = ex.analyse(n);
    std::vector<std::string> inputs;
    if (a.shape)
      for (const RelationName& r : input_relations(*a.shape->flow))
        inputs.push_back(lower(r.label()));
    bool touched = false, blocked = false;
    for (const std::string& in : inputs) {
      touched = touched || affected.count(in);
      blocked = blocked || unknown.count(in);
    }
    if (!touched && !blocked) continue;
    ExplainLevel level;
    level.relation = label;
    level.kind = "model";
    level.depth = 1;
    RelationName table{transform::node_schema(n), transform::node_identifier(n)};
    // A row capture made at build time (row_capture.h) links rows exactly; else the row links.
    std::optional<StoredCapture> cap = stored_capture(conn, n.name, table);
    if (cap && !cap->stale.empty()) {
      level.notes.push_back("row capture not used: " + cap->stale);
      cap.reset();
    }
    if (blocked || (!cap && (!a.error.empty() || !a.links.traceable()))) {
      level.notes.push_back(blocked ? "reads a relation whose affected rows are unknown"
                                    : "affected rows unknown: " +
                                          (a.error.empty() ? a.links.reason : a.error));
      level.rows = -1;
      unknown.insert(lower(label));
      result.complete = false;
      result.levels.push_back(std::move(level));
      continue;
    }
    std::string ids;
    std::set<std::string> covered;  // affected inputs the links (or the capture) follow
    if (cap) {
      for (const std::string& rel : cap->relations) {
        auto it = affected.find(lower(rel));
        covered.insert(lower(rel));
        if (it == affected.end()) continue;
        ids += (ids.empty() ? "" : " UNION ") + captured_forward_sql(n.name, rel, it->second);
      }
    } else {
      for (const DirectInput& in : a.links.direct) {
        covered.insert(lower(in.relation.label()));
        auto it = affected.find(lower(in.relation.label()));
        if (it == affected.end()) continue;
        ids += (ids.empty() ? "" : " UNION ") +
               forward_direct_sql(ex.sql, a.links, in, table, it->second);
      }
      for (const SemiInput& in : a.links.semi) {
        covered.insert(lower(in.relation.label()));
        auto it = affected.find(lower(in.relation.label()));
        if (it == affected.end()) continue;
        ids += (ids.empty() ? "" : " UNION ") + forward_semi_sql(a.links, in, table, it->second);
      }
      for (const OriginInput& in : a.links.origins) {
        covered.insert(lower(in.relation.label()));
        auto it = affected.find(lower(in.relation.label()));
        if (it == affected.end()) continue;
        ids += (ids.empty() ? "" : " UNION ") + forward_origin_sql(in, table, it->second);
      }
    }
    std::string missed_names;  // affected inputs this model reaches in a way the links miss
    for (const std::string& in : inputs)
      if (affected.count(in) && !covered.count(in))
        missed_names += (missed_names.empty() ? "" : ", ") + in;
    const bool missed = !missed_names.empty();
    if (missed) {
      level.notes.push_back("reads an affected relation (" + missed_names +
                            ") in a way the row links do not cover (a subquery or a CTE): "
                            "affected rows may be missing");
      result.complete = false;
    }
    // A model whose incompleteness is noted stays listed even with no row found.
    if (ids.empty()) {
      if (missed) result.levels.push_back(std::move(level));
      continue;
    }
    ids = inline_ids(ids);
    std::string model_rows =
        "SELECT * FROM " + FlowSql::relation(table) + " WHERE rowid IN (" + ids + ")";
    level.rows = count_rows(conn, model_rows);
    level.via =
        cap ? "rows captured at build time (lineage.row_capture)" : describe(*a.links.counted);
    if (level.rows == 0) {
      if (missed) result.levels.push_back(std::move(level));
      continue;
    }
    level.sample = sample_rows(conn, model_rows, o.limit);
    if (changed) {
      for (const ImpactedColumn& c : changed->columns) level.columns.emplace_back(c.column, c.how);
      level.rows_shaped = changed->rows_shaped;
    }
    affected[lower(label)] = ids;
    result.levels.push_back(std::move(level));
  }
  return result;
}

}  // namespace baliza::lineage
