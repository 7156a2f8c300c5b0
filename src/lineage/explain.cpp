#include "lineage/explain.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "core/error.h"
#include "lineage/analysis_cache.h"
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

RelationName split_label(const std::string& label) {
  auto dot = label.find('.');
  if (dot == std::string::npos) return {"", label};
  return {label.substr(0, dot), label.substr(dot + 1)};
}

// What the explainer knows about the project: nodes by relation, analysed models (from the
// cache shared across requests when one is given, analysis_cache.h).
struct Explainer {
  Connection& conn;
  const transform::Project& project;
  transform::Compiler compiler{project};
  FlowSql sql{conn};
  Catalog catalog{conn};
  std::map<std::string, const Node*> by_relation;  // lower-case label -> node
  AnalysisCache own_cache;                         // when the caller gives none
  AnalysisCache& cache;
  std::optional<std::string> catalog_fingerprint;  // this request's, when links are needed
  // The analyses this request uses, each kept alive until it ends (FlowSql caches texts by node
  // address: no tree it has seen may be freed before it).
  std::map<const Node*, std::shared_ptr<const ModelAnalysis>> used;
  std::vector<std::shared_ptr<const ModelAnalysis>> kept;

  Explainer(Connection& c, const transform::Project& p, AnalysisCache* shared = nullptr)
      : conn(c), project(p), cache(shared ? *shared : own_cache) {
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

  // The model's analysed shape (error set when its SQL could not be compiled or analysed), with
  // its row links when with_links (link_error set when they could not be derived).
  const ModelAnalysis& analyse(const Node& n, bool with_links = true) {
    auto it = used.find(&n);
    if (it != used.end() && (!with_links || it->second->linked)) return *it->second;
    std::string compiled, compile_error;
    try {
      compiled = compiler.compile(n, false).sql;
    } catch (const std::exception& e) {
      compile_error = e.what();
    }
    // A cache of this call only cannot outlive the catalog: no fingerprint needed.
    if (with_links && !catalog_fingerprint)
      catalog_fingerprint =
          &cache == &own_cache ? std::string() : AnalysisCache::catalog_fingerprint(conn);
    const std::string key = project.root + '\n' + n.unique_id;
    const std::string& fingerprint = with_links ? *catalog_fingerprint : std::string();
    std::shared_ptr<const ModelAnalysis> entry =
        compile_error.empty() ? cache.find(key, compiled, with_links, fingerprint) : nullptr;
    if (!entry) {
      std::shared_ptr<const ModelAnalysis> base = it != used.end() ? it->second
                                                  : compile_error.empty()
                                                      ? cache.find(key, compiled, false, "")
                                                      : nullptr;
      auto made = std::make_shared<ModelAnalysis>();
      if (base) {
        *made = *base;
      } else {
        made->sql = compiled;
        made->error = compile_error;
        if (compile_error.empty()) {
          try {
            made->shape = std::make_shared<const ModelShape>(analyze_sql(conn, compiled));
          } catch (const std::exception& e) {
            made->error = e.what();
          }
        }
      }
      if (with_links && made->shape) {
        made->links = ModelLinks();
        made->link_error.clear();
        try {
          made->links = link_model(sql, catalog, *made->shape,
                                   {transform::node_schema(n), transform::node_identifier(n)});
        } catch (const std::exception& e) {
          made->link_error = e.what();
        }
        made->linked = true;
        made->catalog = fingerprint;
      }
      entry = made;
      if (compile_error.empty()) cache.put(key, entry);
    }
    used[&n] = entry;
    kept.push_back(entry);
    return *entry;
  }

  // Why the model's rows cannot be followed ("" when they can): its analysis or links failed,
  // or its shape is not traceable.
  static std::string untraceable(const ModelAnalysis& a) {
    if (!a.error.empty()) return a.error;
    if (!a.link_error.empty()) return a.link_error;
    if (!a.shape || !a.linked) return "not analysed";
    return a.links.traceable() ? std::string() : a.links.reason;
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
  // The records to show are picked (page by page, in position order) before any payload is
  // read: only those pages' payloads are joined and decompressed.
  std::string keys = "__r.rowid AS __o0", order = "__x.__o0";
  for (std::size_t i = 0; i < links.outer_json.size(); ++i) {
    const std::string o = "__o" + std::to_string(i + 1);
    keys += ", __s." + quote_identifier(links.outer_json[i].second) + " AS " + o;
    order += ", __x." + o;
  }
  order += ", __x.pos";
  std::string record =
      show_json ? ", json_extract(baliza_payload(__p.compressed), __x.path)::VARCHAR AS record"
                : "";
  Result r = ex.conn.query(
      "SELECT __x.endpoint, __x.url, __x.page, __x.collected_at, __x.payload_sha256, __x.pos, "
      "__p.payload_sha256 IS NOT NULL AS stored, __x.path" +
      record +
      " FROM (SELECT * FROM (SELECT __r.endpoint, __r.url, __r.page, "
      "__r.collected_at::VARCHAR AS collected_at, "
      "__r.payload_sha256, " +
      pos + " AS pos, " + path + " AS path, " + keys + " FROM (" + selected +
      ") AS __s JOIN raw.api_requests AS __r ON " + on + ") AS __x ORDER BY " + order + " LIMIT " +
      std::to_string(limit) +
      ") AS __x LEFT JOIN raw.payloads AS __p ON __p.payload_sha256 = __x.payload_sha256 ORDER "
      "BY " +
      order);
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

// A set of rowids of one relation, as SQL: literal lists when it was small enough to read into
// memory (then with its bounds and, for ranked sets, the kept/superseded counts), else the query.
struct RowidSet {
  std::string sql;  // SELECT rowid[, __rank] ...
  bool inlined = false;
  std::int64_t lo = 0, hi = -1;  // bounds of the inlined rowids (hi < lo: none)
  std::int64_t kept = 0, superseded = 0;

  // The relation's rows whose rowid is in the set. The bounds let DuckDB skip the row groups
  // outside them (a literal IN list is not pushed into the scan; a range is).
  std::string rows_of(const std::string& relation) const {
    std::string range;
    if (inlined && hi >= lo)
      range = "rowid BETWEEN " + std::to_string(lo) + " AND " + std::to_string(hi) + " AND ";
    return "SELECT * FROM " + relation + " WHERE " + range + "rowid IN (SELECT rowid FROM (" + sql +
           "))";
  }
};

// A list of integers ("1,2,3") as a BIGINT[] value: one string cast, which DuckDB binds in
// well under a millisecond where a literal list of thousands of constants takes ~10 ms to parse
// and bind, in every query that embeds it.
std::string bigint_list(const std::string& comma_separated) {
  return "CAST('[" + comma_separated + "]' AS BIGINT[])";
}

// Rows [begin, end) of r, columns (rowid, min rank) from `col` on, sorted by rowid, as a set.
RowidSet inline_ranked(Result& r, std::size_t col, std::size_t begin, std::size_t end) {
  RowidSet out;
  std::string ids, ranks;
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) {
      ids += ',';
      ranks += ',';
    }
    ids += r.get_string(col, i);
    ranks += r.get_string(col + 1, i);
    const std::int64_t rowid = r.get_int64(col, i);
    if (i == begin) out.lo = rowid;
    out.hi = rowid;
    if (r.get_int64(col + 1, i) == 1)
      ++out.kept;
    else
      ++out.superseded;
  }
  out.sql = "SELECT unnest(" + bigint_list(ids) + ") AS rowid, unnest(" + bigint_list(ranks) +
            ") AS __rank";
  out.inlined = true;
  return out;
}

// Runs a (rowid, __rank) query once and returns it as literal lists, so that the levels below
// do not run every level above again (a trace nests one query per level).
RowidSet materialize_ranked(Connection& conn, const std::string& rowids) {
  Result r =
      conn.query("SELECT rowid, min(__rank) FROM (" + rowids + ") GROUP BY rowid ORDER BY rowid");
  if (r.row_count() > kInlineIds) {
    RowidSet out;
    out.sql = rowids;
    return out;
  }
  return inline_ranked(r, 0, 0, r.row_count());
}

// The sets of several inputs from one (__input, rowid, __rank) query (backward_direct_all_sql):
// one per input, nullopt for an input with too many rowids to inline (it is then asked alone).
std::vector<std::optional<RowidSet>> materialize_inputs(Connection& conn, const std::string& rows,
                                                        std::size_t inputs) {
  Result r = conn.query("SELECT __input, rowid, min(__rank) FROM (" + rows +
                        ") GROUP BY __input, rowid ORDER BY __input, rowid");
  std::vector<std::optional<RowidSet>> out(inputs);
  std::vector<std::size_t> begin(inputs + 1, r.row_count());
  for (std::size_t i = r.row_count(); i-- > 0;) {
    const std::int64_t input = r.get_int64(0, i);
    if (input >= 0 && static_cast<std::size_t>(input) < inputs)
      begin[static_cast<std::size_t>(input)] = i;
  }
  for (std::size_t k = inputs; k-- > 0;)  // an input with no rows starts where the next does
    if (begin[k] > begin[k + 1]) begin[k] = begin[k + 1];
  for (std::size_t k = 0; k < inputs; ++k)
    if (begin[k + 1] - begin[k] <= kInlineIds) out[k] = inline_ranked(r, 1, begin[k], begin[k + 1]);
  return out;
}

// Runs a rowid query once and returns its distinct rowids as a literal list (see above).
RowidSet materialize_ids(Connection& conn, const std::string& rowids) {
  Result r = conn.query("SELECT DISTINCT rowid FROM (" + rowids + ") ORDER BY 1");
  RowidSet out;
  if (r.row_count() > kInlineIds) {
    out.sql = rowids;
    return out;
  }
  std::string ids;
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    if (i) ids += ',';
    ids += r.get_string(0, i);
    const std::int64_t rowid = r.get_int64(0, i);
    if (i == 0) out.lo = rowid;
    out.hi = rowid;
  }
  out.sql = "SELECT unnest(" + bigint_list(ids) + ") AS rowid";
  out.inlined = true;
  return out;
}

// Up to `limit` rows of a rowid set as JSON, in rowid order.
// The rows of relation with these rowids (sorted, few) as JSON, by rowid. The bounds let DuckDB
// read only the vectors between them.
std::map<std::int64_t, json> rows_json(Connection& conn, const std::string& relation,
                                       const std::vector<std::int64_t>& rowids) {
  std::map<std::int64_t, json> out;
  if (rowids.empty()) return out;
  std::string list;
  for (std::int64_t id : rowids) list += (list.empty() ? "" : ",") + std::to_string(id);
  Result r =
      conn.query("SELECT __t.rowid, to_json(__t)::VARCHAR FROM " + relation +
                 " AS __t WHERE __t.rowid BETWEEN " + std::to_string(rowids.front()) + " AND " +
                 std::to_string(rowids.back()) + " AND __t.rowid IN (" + list + ")");
  for (std::size_t i = 0; i < r.row_count(); ++i)
    out[r.get_int64(0, i)] = json::parse(r.get_string(1, i), nullptr, false);
  return out;
}

// Up to `limit` rows of a rowid set as JSON, in rowid order: the rowids to show are picked
// first (only the rowid column is read), then only those rows are turned into JSON.
json sample_rowids(Connection& conn, const std::string& relation, const RowidSet& ids, int limit) {
  json out = json::array();
  if (limit <= 0) return out;
  std::string range;
  if (ids.inlined && ids.hi >= ids.lo)
    range = "rowid BETWEEN " + std::to_string(ids.lo) + " AND " + std::to_string(ids.hi) + " AND ";
  Result picked = conn.query("SELECT rowid FROM " + relation + " WHERE " + range +
                             "rowid IN (SELECT rowid FROM (" + ids.sql +
                             ")) ORDER BY rowid LIMIT " + std::to_string(limit));
  std::vector<std::int64_t> rowids;
  for (std::size_t i = 0; i < picked.row_count(); ++i) rowids.push_back(picked.get_int64(0, i));
  for (auto& [rowid, row] : rows_json(conn, relation, rowids)) out.push_back(std::move(row));
  return out;
}

void trace_input(Explainer& ex, const std::string& label, const RowidSet& rowids,
                 const std::string& via, int depth, const TraceOptions& o, ExplainResult& result,
                 bool ranked, bool skip_empty = false) {
  const Node* n = ex.node_of(label);
  RelationName rel = split_label(label);
  const std::string relation = FlowSql::relation(rel);
  std::string rows = rowids.rows_of(relation);
  ExplainLevel level;
  level.depth = depth;
  level.relation = label;
  level.kind = ex.kind_of(label, n);
  level.via = via;
  level.rows = count_rows(ex.conn, rows);
  if (skip_empty && level.rows == 0) return;  // a union operand that fed none of these rows
  if (ranked) {
    if (rowids.inlined) {
      level.kept = rowids.kept;
      level.superseded = rowids.superseded;
    } else {
      Result r = ex.conn.query(
          "SELECT count(DISTINCT rowid) FILTER (WHERE __rank = 1), count(DISTINCT "
          "rowid) FILTER (WHERE __rank > 1) FROM (" +
          rowids.sql + ")");
      level.kept = r.get_int64(0, 0);
      level.superseded = r.get_int64(1, 0);
    }
    // The versions to show are picked from the rowids first (kept first, then by rowid), so
    // that only those rows are turned into JSON.
    Result picked = ex.conn.query("SELECT rowid, min(__rank) AS __rank FROM (" + rowids.sql +
                                  ") WHERE rowid IN (SELECT rowid FROM " + relation +
                                  ") GROUP BY rowid ORDER BY __rank, rowid LIMIT " +
                                  std::to_string(std::max(o.limit, 0)));
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < picked.row_count(); ++i) ids.push_back(picked.get_int64(0, i));
    std::sort(ids.begin(), ids.end());
    std::map<std::int64_t, json> rows = rows_json(ex.conn, relation, ids);
    for (std::size_t i = 0; i < picked.row_count(); ++i) {
      auto it = rows.find(picked.get_int64(0, i));
      if (it == rows.end()) continue;
      json row = std::move(it->second);
      row["_version"] = picked.get_int64(1, i) == 1 ? "kept" : "superseded";
      level.sample.push_back(std::move(row));
    }
  } else if (level.kind != "raw page") {
    level.sample = sample_rowids(ex.conn, relation, rowids, o.limit);
  }
  if (n && n->resource_type == ResourceType::kSeed)
    level.notes.push_back("seed file " + n->original_file_path);
  result.levels.push_back(std::move(level));
  if (n && n->resource_type == ResourceType::kModel)
    trace_model(ex, *n, rows, "SELECT rowid FROM (" + rowids.sql + ")", depth, o, result);
}

void trace_input(Explainer& ex, const std::string& label, const std::string& rowids_sql,
                 const std::string& via, int depth, const TraceOptions& o, ExplainResult& result,
                 bool ranked, bool skip_empty = false) {
  trace_input(ex, label, materialize_ranked(ex.conn, rowids_sql), via, depth, o, result, ranked,
              skip_empty);
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
  const ModelAnalysis& a = ex.analyse(node);
  if (std::string why = Explainer::untraceable(a); !why.empty()) {
    level.notes.push_back("cannot trace further: " + why);
    result.complete = false;
    return;
  }
  const ModelLinks& links = a.links;
  const std::string via = describe(*links.counted);
  // An aggregation: the model's SQL over the traced rows gives the selected rows back.
  if (links.counted->aggregate) {
    if (auto again = recompute_sql(ex.sql, *a.shape, links, selected)) {
      // Both directions in one query: the model's SQL over the traced rows runs once.
      Result diff = ex.conn.query(
          "WITH __sel AS MATERIALIZED (" + selected + "), __again AS MATERIALIZED (" + *again +
          ") SELECT (SELECT count(*) FROM (FROM __sel EXCEPT ALL FROM __again)), (SELECT "
          "count(*) FROM (FROM __again EXCEPT ALL FROM __sel))");
      std::int64_t missing = diff.get_int64(0, 0);
      std::int64_t extra = diff.get_int64(1, 0);
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
  // Several direct inputs (a join) without a dedup: their rowids from one pass over the FROM
  // rows (with a dedup each input's rows are ranked on their own, as backward_direct_sql does).
  std::vector<std::optional<RowidSet>> sets(links.direct.size());
  if (links.direct.size() > 1 && links.dedup_partition.empty())
    sets =
        materialize_inputs(ex.conn, backward_direct_all_sql(links, selected), links.direct.size());
  for (std::size_t i = 0; i < links.direct.size(); ++i) {
    const DirectInput& in = links.direct[i];
    if (sets[i]) {
      trace_input(ex, in.relation.label(), *sets[i], via, depth + 1, o, result, false, in.carried);
      continue;
    }
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
                          const std::string& model, const std::string& value,
                          AnalysisCache* cache) {
  Explainer ex(conn, project, cache);
  const Node* n = ex.find(model);
  if (!n) throw usage_error("unknown model '" + model + "'");
  std::vector<std::string> keys = n->config.unique_key;
  if (keys.empty() && n->resource_type == ResourceType::kModel) {
    const ModelAnalysis& a = ex.analyse(*n);
    if (Explainer::untraceable(a).empty() &&
        (a.links.counted->aggregate || !a.links.dedup_partition.empty()))
      for (const RowKey& k : a.links.keys) keys.push_back(k.column);
  }
  if (keys.size() != 1)
    throw usage_error("--key needs a model with a one-column unique key (config unique_key); " +
                      label_of(*n) + " has " + std::to_string(keys.size()) + "; use --where");
  return quote_identifier(keys[0]) + "::VARCHAR = " + quote_literal(value);
}

ExplainResult trace(Connection& conn, const transform::Project& project, const std::string& model,
                    const TraceOptions& o, AnalysisCache* cache) {
  Explainer ex(conn, project, cache);
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
  if (n->config.materialized == "view") {  // no rowid: in the order the view gives them
    Result r = conn.query("SELECT to_json(__t)::VARCHAR FROM (" + selected + ") AS __t LIMIT " +
                          std::to_string(std::max(o.limit, 0)));
    for (std::size_t i = 0; i < r.row_count(); ++i)
      top.sample.push_back(json::parse(r.get_string(0, i), nullptr, false));
  } else {
    top.sample = sample_rowids(conn, transform::relation_sql(*n),
                               {"SELECT rowid FROM " + transform::relation_sql(*n) +
                                (o.where.empty() ? "" : " WHERE " + o.where)},
                               o.limit);
  }
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
    const ModelAnalysis& a = ex.analyse(n, false);
    lineage.add_model(n, a.shape.get(), a.error, ex.conn);
  }
  ColumnImpact out = column_impact(lineage, rel, column, field);
  if (out.models.empty())
    first.notes.push_back("no model column derives from it: nothing downstream changes");
  return out;
}

}  // namespace

ExplainResult impact(Connection& conn, const transform::Project& project, const ImpactStart& start,
                     const ImpactOptions& o, AnalysisCache* cache) {
  Explainer ex(conn, project, cache);
  ExplainResult result;
  transform::Dag dag = transform::Dag::build(project);
  // affected relation label (lower case) -> SQL of the affected rowids
  std::map<std::string, std::string> affected;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
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
  const RowidSet start_set = materialize_ids(conn, start_ids);
  const std::string start_relation = FlowSql::relation(start_rel);
  first.rows = count_rows(conn, start_set.rows_of(start_relation));
  if (first.rows == 0) throw usage_error("no row of " + start_label + " matches");
  first.sample = sample_rowids(conn, start_relation, start_set, o.limit);
  result.levels.push_back(std::move(first));
  affected[lower(start_label)] = start_set.sql;

  std::set<std::string> unknown;  // relations whose downstream could not be followed
  for (std::size_t i : dag.topological_order()) {
    const Node& n = dag.node(i);
    if (n.resource_type != ResourceType::kModel || n.config.materialized == "ephemeral") continue;
    const std::string label = label_of(n);
    if (affected.count(lower(label))) continue;
    const ModelColumnImpact* changed = columns ? columns->find(label) : nullptr;
    if (columns && !changed) continue;  // none of its columns derives from the changed column
    // Only the shape first (which relations the model reads): the links are derived for the
    // models the affected rows reach.
    const ModelAnalysis* a = &ex.analyse(n, false);
    std::vector<std::string> inputs;
    if (a->shape)
      for (const RelationName& r : input_relations(*a->shape->flow))
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
    if (!blocked && !cap) a = &ex.analyse(n);
    if (blocked || (!cap && !Explainer::untraceable(*a).empty())) {
      level.notes.push_back(blocked ? "reads a relation whose affected rows are unknown"
                                    : "affected rows unknown: " + Explainer::untraceable(*a));
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
      for (const DirectInput& in : a->links.direct) {
        covered.insert(lower(in.relation.label()));
        auto it = affected.find(lower(in.relation.label()));
        if (it == affected.end()) continue;
        ids += (ids.empty() ? "" : " UNION ") +
               forward_direct_sql(ex.sql, a->links, in, table, it->second);
      }
      for (const SemiInput& in : a->links.semi) {
        covered.insert(lower(in.relation.label()));
        auto it = affected.find(lower(in.relation.label()));
        if (it == affected.end()) continue;
        ids += (ids.empty() ? "" : " UNION ") + forward_semi_sql(a->links, in, table, it->second);
      }
      for (const OriginInput& in : a->links.origins) {
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
    const RowidSet id_set = materialize_ids(conn, ids);
    const std::string relation = FlowSql::relation(table);
    level.rows = count_rows(conn, id_set.rows_of(relation));
    level.via =
        cap ? "rows captured at build time (lineage.row_capture)" : describe(*a->links.counted);
    if (level.rows == 0) {
      if (missed) result.levels.push_back(std::move(level));
      continue;
    }
    level.sample = sample_rowids(conn, relation, id_set, o.limit);
    if (changed) {
      for (const ImpactedColumn& c : changed->columns) level.columns.emplace_back(c.column, c.how);
      level.rows_shaped = changed->rows_shaped;
    }
    affected[lower(label)] = id_set.sql;
    result.levels.push_back(std::move(level));
  }
  return result;
}

}  // namespace baliza::lineage
