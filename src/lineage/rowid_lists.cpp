#include "lineage/rowid_lists.h"

#include "core/error.h"

namespace baliza::lineage {
namespace {

using json = nlohmann::json;

// The window expressions under a select item (expression subqueries not entered).
void windows_of(const json& j, std::vector<const json*>& out) {
  if (j.is_object()) {
    if (j.value("class", "") == "WINDOW") out.push_back(&j);
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() != "subquery") windows_of(*it, out);
  } else if (j.is_array()) {
    for (const json& x : j) windows_of(x, out);
  }
}

}  // namespace

// The rewriting itself (rowid_lists.h): each flow produces its columns plus one BIGINT[] column
// per slot (a base relation read somewhere under it).
struct RowidLists::Impl {
  RowidLists& self;
  std::vector<RelationName>& slots;
  std::string& reason;

  explicit Impl(RowidLists& s) : self(s), slots(s.slots_), reason(s.reason_) {}
  FlowSql& sql() { return self.sql_; }

  Connection& conn() { return self.sql_.connection(); }

  bool fail(std::string why) {
    if (reason.empty()) reason = std::move(why);
    return false;
  }
  std::nullopt_t none(std::string why) {
    fail(std::move(why));
    return std::nullopt;
  }

  json parse_node(const std::string& text) {
    Result r = conn().prepare("SELECT json_serialize_sql($1::VARCHAR)").bind(1, text).execute();
    json parsed = json::parse(r.get_string(0, 0), nullptr, false);
    if (parsed.is_discarded() || parsed.value("error", false))
      throw failure("rowid lists: cannot parse a rewritten piece: " + text.substr(0, 200));
    return parsed["statements"][0]["node"];
  }

  std::string list_of(const std::vector<std::size_t>& mine, bool aggregate) {
    std::string out;
    for (std::size_t k : mine) {
      const std::string n = quote_identifier(RowidLists::slot_column(k));
      out +=
          ", " + (aggregate ? "coalesce(flatten(list(" + n + ")), []::BIGINT[])" : n) + " AS " + n;
    }
    return out;
  }

  // Replaces the FROM item `j` (the JSON of `f.table`) by rewritten subqueries; `bindings`
  // gets each binding's slots.
  bool rewrite_from(const Flow& f, json& j,
                    std::vector<std::pair<std::string, std::vector<std::size_t>>>& bindings,
                    std::vector<std::size_t>& mine) {
    if (f.kind == FlowKind::kJoin) {
      return rewrite_from(*f.left, j["left"], bindings, mine) &&
             rewrite_from(*f.right, j["right"], bindings, mine);
    }
    if (f.kind == FlowKind::kTableFunction || f.kind == FlowKind::kValues) return true;
    if (f.kind == FlowKind::kRelation && self.keep_relations_) return true;
    if (f.kind == FlowKind::kOpaque) return fail(describe(f));
    if (f.table && !f.table->column_aliases.empty())
      return fail("a FROM item with column aliases (" + f.binding + ")");
    std::vector<std::size_t> inner;
    const bool keep = self.keep_relations_;  // only the outermost FROM keeps its relations
    self.keep_relations_ = false;
    std::optional<std::string> text = rewrite(f, inner);
    self.keep_relations_ = keep;
    if (!text) return false;
    std::string alias = f.binding.empty() ? "__c" + std::to_string(bindings.size()) : f.binding;
    json from = parse_node("SELECT * FROM (" + *text + ") AS " + quote_identifier(alias));
    j = from["from_table"];
    bindings.emplace_back(alias, inner);
    mine.insert(mine.end(), inner.begin(), inner.end());
    return true;
  }

  std::optional<std::string> rewrite_select(const Flow& f, std::vector<std::size_t>& mine) {
    if (!f.source) return query_sql(conn(), *f.query->json);  // constant rows: no input
    if (f.query->has_limit) return none("LIMIT in " + describe(f));
    if (f.dedup.kind == DedupKind::kDistinctOn) return none("DISTINCT ON");
    json node = *f.query->json;
    std::vector<std::pair<std::string, std::vector<std::size_t>>> bindings;
    if (!rewrite_from(*f.source, node["from_table"], bindings, mine)) return std::nullopt;
    for (json& item : node["select_list"]) {
      if (item.value("class", "") != "STAR") continue;
      if (item.value("columns", false) || !item["expr"].is_null())
        return none("a COLUMNS(*) expression");
      const std::string rel = item.value("relation_name", "");
      for (const auto& [binding, slots] : bindings) {
        if (!rel.empty() && !iequals(rel, binding)) continue;
        for (std::size_t k : slots) item["exclude_list"].push_back(RowidLists::slot_column(k));
      }
    }
    const bool distinct = f.dedup.kind == DedupKind::kDistinct;
    if (distinct) {
      json modifiers = json::array();
      for (const json& m : node["modifiers"])
        if (m.value("type", "") != "DISTINCT_MODIFIER") modifiers.push_back(m);
      node["modifiers"] = modifiers;
    }
    std::vector<const json*> windows;
    for (const json& item : node["select_list"]) windows_of(item, windows);
    if (!windows.empty() && f.aggregate) return none("a window over an aggregate");
    if (!mine.empty()) {
      json extra =
          parse_node("SELECT 1" + (windows.empty() ? list_of(mine, f.aggregate)
                                                   : window_lists(windows, mine)))["select_list"];
      for (std::size_t i = 1; i < extra.size(); ++i) node["select_list"].push_back(extra[i]);
    }
    std::string text = query_sql(conn(), node);
    if (distinct) return regroup(f, text, mine);
    return text;
  }

  // A row with window values comes from every row those windows read: an aggregate window its
  // frame (the same OVER, list() instead of the function), any other (rank, lag, ...) the rows of
  // its partition. ", <lists> AS __p_k" for each slot.
  std::string window_lists(const std::vector<const json*>& windows,
                           const std::vector<std::size_t>& mine) {
    std::string out;
    for (std::size_t k : mine) {
      const std::string n = quote_identifier(RowidLists::slot_column(k));
      json ref = parse_node("SELECT " + n)["select_list"][0];
      std::string parts = n;
      for (const json* w : windows) {
        std::string over;
        if (w->value("type", "") == "WINDOW_AGGREGATE") {
          json l = *w;
          l["function_name"] = "list";
          l["children"] = json::array({ref});
          l["filter_expr"] = nullptr;
          l["distinct"] = false;
          l["ignore_nulls"] = false;
          l["arg_orders"] = json::array();
          l["alias"] = "";
          over = expression_sql(conn(), l);
        } else {
          std::string partition;
          for (const json& p : (*w)["partitions"])
            partition += (partition.empty() ? "" : ", ") + expression_sql(conn(), p);
          over = "list(" + n + ") OVER (" +
                 (partition.empty() ? std::string() : "PARTITION BY " + partition) + ")";
        }
        parts += ", flatten(" + over + ")";
      }
      out += ", list_distinct(flatten([" + parts + "])) AS " + n;
    }
    return out;
  }

  // DISTINCT / UNION: one row per distinct value of the flow's columns, its lists concatenated.
  std::optional<std::string> regroup(const Flow& f, const std::string& text,
                                     const std::vector<std::size_t>& mine) {
    auto cols =
        output_columns(f, [this](const RelationName& r) -> std::optional<std::vector<std::string>> {
          Result res = conn()
                           .prepare(
                               "SELECT column_name FROM duckdb_columns() WHERE lower(table_name) = "
                               "lower($2) AND ($1 = '' OR lower(schema_name) = lower($1)) ORDER BY "
                               "column_index")
                           .bind(1, r.schema)
                           .bind(2, r.table)
                           .execute();
          if (res.row_count() == 0) return std::nullopt;
          std::vector<std::string> out;
          for (std::size_t i = 0; i < res.row_count(); ++i) out.push_back(res.get_string(0, i));
          return out;
        });
    if (!cols) return none("the columns of " + describe(f) + " are unknown");
    std::string list;
    for (const std::string& c : *cols) list += (list.empty() ? "" : ", ") + quote_identifier(c);
    if (mine.empty()) return "SELECT DISTINCT " + list + " FROM (" + text + ")";
    return "SELECT " + list + list_of(mine, true) + " FROM (" + text + ") GROUP BY " + list;
  }

  std::optional<std::string> rewrite_setop(const Flow& f, std::vector<std::size_t>& mine) {
    if (f.setop_type != "UNION" && f.setop_type != "UNION_BY_NAME")
      return none(f.setop_type + " of queries");
    if (f.query->has_limit) return none("LIMIT on a union");
    std::vector<std::string> texts;
    std::vector<std::vector<std::size_t>> own;
    for (const auto& op : f.operands) {
      std::vector<std::size_t> s;
      auto t = rewrite(*op, s);
      if (!t) return std::nullopt;
      texts.push_back(*t);
      own.push_back(s);
      mine.insert(mine.end(), s.begin(), s.end());
    }
    std::string text;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      std::string exclude, add;
      for (std::size_t k : own[i])
        exclude += (exclude.empty() ? "" : ", ") + quote_identifier(RowidLists::slot_column(k));
      for (std::size_t k : mine) {
        bool has = false;
        for (std::size_t x : own[i]) has = has || x == k;
        add +=
            ", " +
            (has ? quote_identifier(RowidLists::slot_column(k)) : std::string("NULL::BIGINT[]")) +
            " AS " + quote_identifier(RowidLists::slot_column(k));
      }
      const std::string op = "SELECT *" + (exclude.empty() ? "" : " EXCLUDE (" + exclude + ")") +
                             add + " FROM (" + texts[i] + ")";
      text += (i ? (f.setop_type == "UNION_BY_NAME" ? " UNION ALL BY NAME " : " UNION ALL ") : "") +
              ("(" + op + ")");
    }
    if (!f.all) return regroup(f, text, mine);
    return text;
  }

  std::optional<std::string> rewrite(const Flow& f, std::vector<std::size_t>& mine) {
    switch (f.kind) {
      case FlowKind::kRelation: {
        std::size_t k = slots.size();
        slots.push_back(f.relation);
        mine.push_back(k);
        return "SELECT *, [rowid]::BIGINT[] AS " + quote_identifier(RowidLists::slot_column(k)) +
               " FROM " + FlowSql::relation(f.relation);
      }
      case FlowKind::kSelect:
        return rewrite_select(f, mine);
      case FlowKind::kSetOperation:
        return rewrite_setop(f, mine);
      default:
        fail(describe(f));
        return std::nullopt;
    }
  }
};
std::string RowidLists::slot_column(std::size_t k) {
  return "__p_" + std::to_string(k);
}

std::optional<std::string> RowidLists::rewrite(const Flow& flow, std::vector<std::size_t>& mine) {
  keep_relations_ = false;
  return Impl(*this).rewrite(flow, mine);
}

std::optional<RowidLists::ListedFrom> RowidLists::rewrite_from_items(const Flow& select) {
  if (select.kind != FlowKind::kSelect || !select.source || !select.query || !select.query->from) {
    if (reason_.empty()) reason_ = "not a select with a FROM: " + describe(select);
    return std::nullopt;
  }
  keep_relations_ = true;
  Impl impl(*this);
  json from = *select.query->from->json;
  ListedFrom out;
  std::vector<std::size_t> mine;
  const bool ok = impl.rewrite_from(*select.source, from, out.bindings, mine);
  keep_relations_ = false;
  if (!ok) return std::nullopt;
  out.from_sql = sql_.from_json(from);
  return out;
}

}  // namespace baliza::lineage
