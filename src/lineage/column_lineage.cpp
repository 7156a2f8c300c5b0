#include "lineage/column_lineage.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace baliza::lineage {
namespace {

enum Strength { kIdentity = 0, kTransformation = 1, kAggregation = 2 };

const char* strength_name(int s) {
  return s == kIdentity ? "IDENTITY" : s == kTransformation ? "TRANSFORMATION" : "AGGREGATION";
}

// How the value being traced relates to the output column.
struct Ctx {
  int strength = kIdentity;
  std::string indirect;                    // "" = DIRECT; else the INDIRECT subtype
  std::vector<std::string> lambda_params;  // names bound by enclosing lambdas
  int depth = 0;

  Ctx at_least(int s) const {
    Ctx c = *this;
    c.strength = std::max(c.strength, s);
    return c;
  }
  Ctx as_indirect(const std::string& subtype) const {
    Ctx c = *this;
    if (c.indirect.empty()) c.indirect = subtype;
    return c;
  }
};

using Path = std::vector<std::string>;  // field names and "[]" (list element)

std::string path_text(const Path& p) {
  std::string out;
  for (const std::string& e : p) {
    if (e == "[]") {
      out += "[]";
    } else {
      out += (out.empty() ? "" : ".") + e;
    }
  }
  return out;
}

Path concat(Path a, const Path& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// '$.data[0].x', 'data', '$.a.b' -> path elements.
Path json_path(const std::string& text) {
  Path out;
  std::string s = text;
  if (s.rfind("$", 0) == 0) s.erase(0, 1);
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      flush();
    } else if (c == '[') {
      flush();
      std::size_t close = s.find(']', i);
      out.push_back("[]");
      i = close == std::string::npos ? s.size() : close;
    } else if (c != '"') {
      cur += c;
    }
  }
  flush();
  return out;
}

bool is_aggregate_name(const std::string& name) {
  static const std::set<std::string> names = {
      "sum",         "count",         "count_star",    "avg",       "mean",
      "min",         "max",           "any_value",     "first",     "last",
      "arg_max",     "arg_min",       "max_by",        "min_by",    "list",
      "array_agg",   "string_agg",    "group_concat",  "median",    "mode",
      "quantile",    "quantile_cont", "quantile_disc", "stddev",    "stddev_pop",
      "stddev_samp", "var_pop",       "var_samp",      "variance",  "bool_and",
      "bool_or",     "bit_and",       "bit_or",        "histogram", "approx_count_distinct",
      "fsum",        "sumkahan",      "kahan_sum",     "product",   "entropy",
      "corr",        "covar_pop",     "covar_samp",    "favg",      "bitstring_agg",
      "arbitrary"};
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return names.count(lower) > 0;
}

std::string lower(const std::string& s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(const std::vector<std::string>& names, const std::string& n) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& x) { return iequals(x, n); });
}

const Flow* find_binding(const Flow& f, const std::string& name) {
  if (f.kind == FlowKind::kJoin) {
    if (const Flow* l = find_binding(*f.left, name)) return l;
    return find_binding(*f.right, name);
  }
  return iequals(f.binding, name) ? &f : nullptr;
}

void leaves(const Flow& f, std::vector<const Flow*>& out) {
  if (f.kind == FlowKind::kJoin && f.left && f.right) {
    leaves(*f.left, out);
    leaves(*f.right, out);
  } else {
    out.push_back(&f);
  }
}

struct Sink {
  std::vector<ColumnInput> inputs;
  bool known = true;
  std::string reason;
  void unknown(const std::string& why) {
    if (known) reason = why;
    known = false;
  }
  void add(ColumnInput in) {
    if (std::find(inputs.begin(), inputs.end(), in) == inputs.end())
      inputs.push_back(std::move(in));
  }
};

class Tracer {
 public:
  explicit Tracer(const RelationColumns& rc) : rc_(rc) {}

  std::optional<std::vector<std::string>> columns_of(const Flow& f) {
    auto it = columns_cache_.find(&f);
    if (it != columns_cache_.end()) return it->second;
    auto cols = output_columns(f, rc_);
    columns_cache_.emplace(&f, cols);
    return cols;
  }

  // The value of output column `index` of `flow` (kSelect, kSetOperation).
  void column_at(const Flow& flow, std::size_t index, const Path& path, const Ctx& ctx, Sink& out) {
    if (ctx.depth > 200) return out.unknown("lineage deeper than 200 steps");
    Ctx c = ctx;
    ++c.depth;
    if (flow.kind == FlowKind::kSetOperation) {
      for (const auto& op : flow.operands) column_at(*op, index, path, c, out);
      return;
    }
    if (flow.kind != FlowKind::kSelect) {
      auto cols = columns_of(flow);
      if (!cols || index >= cols->size()) return unknown_flow(flow, out);
      return column(flow, (*cols)[index], path, c, out);
    }
    std::size_t pos = 0;
    for (const auto& item : flow.query->select_list) {
      if (item->kind == ExprKind::kStar &&
          item->children.size() == item->star_replace_names.size()) {
        if (!flow.source) return out.unknown("* without a FROM");
        const Flow* from = item->star_relation.empty()
                               ? flow.source.get()
                               : find_binding(*flow.source, item->star_relation);
        if (!from) return out.unknown("* of an unknown relation " + item->star_relation);
        auto cols = columns_of(*from);
        if (!cols) return unknown_star(*from, out);
        for (const std::string& col : *cols) {
          if (contains(item->star_exclude, col)) continue;
          if (pos == index) {
            for (std::size_t r = 0; r < item->star_replace_names.size(); ++r)
              if (iequals(item->star_replace_names[r], col))
                return expr(*item->children[r], flow, path, c.at_least(kTransformation), out);
            return column(*from, col, path, c, out);
          }
          ++pos;
        }
        continue;
      }
      if (pos == index) return expr(*item, flow, path, c, out);
      ++pos;
    }
    out.unknown("output column " + std::to_string(index + 1) + " not found");
  }

  // The value of the column named `name` of `flow`.
  void column(const Flow& flow, const std::string& name, const Path& path, const Ctx& ctx,
              Sink& out) {
    switch (flow.kind) {
      case FlowKind::kRelation: {
        ColumnInput in;
        in.relation = flow.relation;
        in.column = name;
        in.field_path = path_text(path);
        in.type = ctx.indirect.empty() ? "DIRECT" : "INDIRECT";
        in.subtype = ctx.indirect.empty() ? strength_name(ctx.strength) : ctx.indirect;
        out.add(std::move(in));
        return;
      }
      case FlowKind::kJoin:
        return unqualified(flow, name, path, ctx, out);
      case FlowKind::kSelect:
      case FlowKind::kSetOperation: {
        auto cols = columns_of(flow);
        if (cols) {
          for (std::size_t i = 0; i < cols->size(); ++i)
            if (iequals((*cols)[i], name)) return column_at(flow, i, path, ctx, out);
          return out.unknown("no column " + name + " in " + describe(flow));
        }
        if (flow.kind == FlowKind::kSelect) {
          // Columns unknown (a star over an unknown relation): an explicit item by name, else
          // the star, which DuckDB bound it to.
          for (const auto& item : flow.query->select_list)
            if (item->kind != ExprKind::kStar && iequals(item->output_name(), name))
              return expr(*item, flow, path, ctx, out);
          if (flow.source) return unqualified(*flow.source, name, path, ctx, out);
        }
        return unknown_flow(flow, out);
      }
      case FlowKind::kValues:
        return;  // constants
      case FlowKind::kTableFunction:
      case FlowKind::kOpaque:
        return unknown_flow(flow, out);
    }
  }

  // An expression of the select `owner` (references resolve against owner.source).
  void expr(const Expr& e, const Flow& owner, const Path& path, const Ctx& ctx, Sink& out) {
    switch (e.kind) {
      case ExprKind::kColumnRef:
        return ref(owner, e.column_names, path, ctx, out);
      case ExprKind::kConstant:
        return;
      case ExprKind::kFunction:
        return function(e, owner, path, ctx, out);
      case ExprKind::kOperator:
        if ((e.type == "STRUCT_EXTRACT" || e.type == "ARRAY_EXTRACT") && e.children.size() == 2 &&
            e.children[1]->kind == ExprKind::kConstant) {
          const Expr& key = *e.children[1];
          bool index = !key.constant.empty() &&
                       std::all_of(key.constant.begin(), key.constant.end(), [](char ch) {
                         return std::isdigit(static_cast<unsigned char>(ch)) || ch == '-';
                       });
          Path p = concat({index ? std::string("[]") : key.constant}, path);
          return expr(*e.children[0], owner, p, ctx, out);
        }
        break;
      case ExprKind::kCase: {
        std::size_t n = e.children.size();
        for (std::size_t i = 0; i < n; ++i) {
          bool is_else = (n % 2 == 1) && i == n - 1;
          if (!is_else && i % 2 == 0) {
            expr(*e.children[i], owner, {}, ctx.as_indirect("CONDITIONAL"), out);
          } else {
            expr(*e.children[i], owner, {}, ctx.at_least(kTransformation), out);
          }
        }
        return;
      }
      case ExprKind::kWindow: {
        int s = is_aggregate_name(e.function_name) ? kAggregation : kTransformation;
        for (const auto& c : e.children) expr(*c, owner, {}, ctx.at_least(s), out);
        for (const auto& p : e.partitions) expr(*p, owner, {}, ctx.as_indirect("WINDOW"), out);
        for (const auto& o : e.orders) expr(*o, owner, {}, ctx.as_indirect("WINDOW"), out);
        return;
      }
      case ExprKind::kLambda: {
        // `x -> '$.a'` parses as a lambda: DuckDB rebinds it as JSON extraction.
        if (e.children.size() == 1 && e.children[0]->kind == ExprKind::kConstant &&
            e.lambda_params.size() == 1 && ctx.lambda_params.empty()) {
          return ref(owner, {e.lambda_params[0]}, concat(json_path(e.children[0]->constant), path),
                     ctx, out);
        }
        Ctx c = ctx;
        c.lambda_params.insert(c.lambda_params.end(), e.lambda_params.begin(),
                               e.lambda_params.end());
        for (const auto& child : e.children) expr(*child, owner, {}, c, out);
        return;
      }
      case ExprKind::kSubquery:
        return subquery(e, owner, ctx, out);
      case ExprKind::kStar:
        return out.unknown("a * inside an expression");
      default:
        break;
    }
    Ctx c = ctx.at_least(kTransformation);
    for (const auto& child : e.children) expr(*child, owner, {}, c, out);
  }

  void function(const Expr& e, const Flow& owner, const Path& path, const Ctx& ctx, Sink& out) {
    std::string name = lower(e.function_name);
    if (e.children.empty()) return;
    // Functions that navigate or re-encode a value: the path below them is kept.
    if (name == "unnest" || name == "flatten") {
      return expr(*e.children[0], owner, concat({"[]"}, path), ctx, out);
    }
    if (name == "baliza_payload" || name == "from_json" || name == "from_json_strict" ||
        name == "json" || name == "to_json" || name == "json_structure") {
      return expr(*e.children[0], owner, path, ctx, out);
    }
    if ((name == "struct_extract" || name == "json_extract" || name == "json_extract_string" ||
         name == "json_extract_path" || name == "json_extract_path_text" || name == "->" ||
         name == "->>" || name == "list_extract" || name == "array_extract" ||
         name == "list_element") &&
        e.children.size() == 2 && e.children[1]->kind == ExprKind::kConstant) {
      const std::string& key = e.children[1]->constant;
      bool index = !key.empty() && std::all_of(key.begin(), key.end(), [](char ch) {
        return std::isdigit(static_cast<unsigned char>(ch)) || ch == '-';
      });
      Path p = index ? Path{"[]"} : (name == "struct_extract" ? Path{key} : json_path(key));
      return expr(*e.children[0], owner, concat(p, path), ctx, out);
    }
    int s = e.is_aggregate() || is_aggregate_name(name) ? kAggregation : kTransformation;
    for (const auto& c : e.children) expr(*c, owner, {}, ctx.at_least(s), out);
  }

  void subquery(const Expr& e, const Flow& owner, const Ctx& ctx, Sink& out) {
    const Flow* sub = nullptr;
    for (const auto& s : owner.subqueries)
      if (s->query == e.subquery.get()) sub = s.get();
    for (const auto& c : e.children) expr(*c, owner, {}, ctx.at_least(kTransformation), out);
    if (!sub) return out.unknown("a subquery the analysis did not reach");
    if (e.subquery_type == "EXISTS" || e.subquery_type == "NOT_EXISTS") {
      return out.unknown("an EXISTS subquery (its rows decide the value)");
    }
    column_at(*sub, 0, {}, ctx.at_least(kTransformation), out);
  }

  // A column reference `names` in the select `owner`.
  void ref(const Flow& owner, const std::vector<std::string>& names, const Path& path,
           const Ctx& ctx, Sink& out) {
    if (names.empty()) return;
    if (contains(ctx.lambda_params, names[0])) return;
    // SQL's value keywords parse as column references; DuckDB binds them as functions.
    static const std::vector<std::string> keywords = {
        "current_timestamp", "current_date", "current_time", "localtimestamp",  "localtime",
        "current_user",      "session_user", "current_role", "current_catalog", "current_schema"};
    if (names.size() == 1 && contains(keywords, names[0])) {
      const Flow* from = owner.kind == FlowKind::kSelect ? owner.source.get() : &owner;
      auto cols = from ? columns_of(*from) : std::nullopt;
      if (!from || (cols && !contains(*cols, names[0]))) return;
    }
    const Flow* source = owner.kind == FlowKind::kSelect ? owner.source.get() : &owner;
    if (!source) return out.unknown("column " + names[0] + " without a FROM");
    if (names.size() >= 2) {
      if (const Flow* b = find_binding(*source, names[0]))
        return column(*b, names[1], concat(Path(names.begin() + 2, names.end()), path), ctx, out);
      if (names.size() >= 3)
        if (const Flow* b = find_binding(*source, names[1]))
          return column(*b, names[2], concat(Path(names.begin() + 3, names.end()), path), ctx, out);
    }
    unqualified(*source, names[0], concat(Path(names.begin() + 1, names.end()), path), ctx, out);
  }

  // An unqualified column of a FROM tree: the leaf whose output has it.
  void unqualified(const Flow& source, const std::string& name, const Path& path, const Ctx& ctx,
                   Sink& out) {
    if (source.kind != FlowKind::kJoin) return column(source, name, path, ctx, out);
    std::vector<const Flow*> all;
    leaves(source, all);
    std::vector<const Flow*> have, unknown;
    for (const Flow* leaf : all) {
      auto cols = columns_of(*leaf);
      if (!cols) {
        unknown.push_back(leaf);
      } else if (contains(*cols, name)) {
        have.push_back(leaf);
      }
    }
    if (have.empty() && unknown.size() == 1) have = unknown;  // it bound, so it is there
    if (have.empty())
      return out.unknown("column " + name + " found in no input of " + describe(source));
    if (have.size() > 1 && !unknown.empty())
      return out.unknown("column " + name + " may come from several inputs");
    for (const Flow* leaf : have) column(*leaf, name, path, ctx, out);  // USING keys: every side
  }

  void unknown_flow(const Flow& f, Sink& out) {
    if (f.kind == FlowKind::kOpaque) return out.unknown(f.reason);
    if (f.kind == FlowKind::kTableFunction) return out.unknown("reads a table function");
    out.unknown("columns of " + describe(f) + " are unknown");
  }
  void unknown_star(const Flow& f, Sink& out) {
    if (f.kind == FlowKind::kRelation)
      return out.unknown("* over " + f.relation.label() + ", whose columns are unknown");
    unknown_flow(f, out);
  }

  // INDIRECT inputs of every row: filters, joins, grouping, dedup, sorting, in every flow.
  void dataset(const Flow& f, Sink& out, std::vector<std::string>& endpoints) {
    Ctx base;
    switch (f.kind) {
      case FlowKind::kSelect:
        for (const Expr* e : f.filters) {
          expr(*e, f, {}, base.as_indirect("FILTER"), out);
          endpoint_filter(*e, f, endpoints);
        }
        for (const Expr* e : f.group_keys)
          expr(*select_item(f, *e, false), f, {}, base.as_indirect("GROUP_BY"), out);
        if (f.having) expr(*f.having, f, {}, base.as_indirect("FILTER"), out);
        if (f.dedup.kind == DedupKind::kRowNumber || f.dedup.kind == DedupKind::kDistinctOn) {
          for (const Expr* e : f.dedup.keys) expr(*e, f, {}, base.as_indirect("WINDOW"), out);
          for (const Expr* e : f.dedup.order) expr(*e, f, {}, base.as_indirect("WINDOW"), out);
        } else if (f.dedup.qualify) {
          expr(*f.dedup.qualify, f, {}, base.as_indirect("FILTER"), out);
        }
        for (const auto& o : f.query->order_by)
          expr(*select_item(f, *o.expr, true), f, {}, base.as_indirect("SORT"), out);
        if (f.source) dataset(*f.source, out, endpoints);
        break;
      case FlowKind::kJoin: {
        if (f.table && f.table->condition)
          expr(*f.table->condition, f, {}, base.as_indirect("JOIN"), out);
        for (const auto& k : f.keys) {
          if (f.table && f.table->condition) break;  // USING: keys only
          ref(*f.left, k.left, {}, base.as_indirect("JOIN"), out);
          ref(*f.right, k.right, {}, base.as_indirect("JOIN"), out);
        }
        if (f.left) dataset(*f.left, out, endpoints);
        if (f.right) dataset(*f.right, out, endpoints);
        break;
      }
      case FlowKind::kSetOperation:
        for (const auto& op : f.operands) dataset(*op, out, endpoints);
        break;
      default:
        break;
    }
  }

 private:
  // ORDER BY / GROUP BY terms that name a select item: a position (ORDER BY 1) or, for ORDER BY,
  // an output alias (DuckDB binds those before the FROM's columns).
  static const Expr* select_item(const Flow& f, const Expr& e, bool aliases) {
    const auto& items = f.query->select_list;
    if (e.kind == ExprKind::kConstant && !e.constant.empty() &&
        std::all_of(e.constant.begin(), e.constant.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      std::size_t n = std::stoul(e.constant);
      if (n >= 1 && n <= items.size() && items[n - 1]->kind != ExprKind::kStar)
        return items[n - 1].get();
    }
    if (aliases && e.kind == ExprKind::kColumnRef && e.column_names.size() == 1) {
      for (const auto& item : items)
        if (item->kind != ExprKind::kColumnRef && iequals(item->alias, e.column_names[0]))
          return item.get();
    }
    return &e;
  }

  // `endpoint in ('a', 'b')` / `endpoint = 'a'` on raw.api_requests.endpoint.
  void endpoint_filter(const Expr& e, const Flow& owner, std::vector<std::string>& endpoints) {
    const Expr* column = nullptr;
    std::vector<const Expr*> values;
    if (e.kind == ExprKind::kOperator && e.type == "COMPARE_IN" && !e.children.empty()) {
      column = e.children[0].get();
      for (std::size_t i = 1; i < e.children.size(); ++i) values.push_back(e.children[i].get());
    } else if (e.kind == ExprKind::kComparison && e.type == "COMPARE_EQUAL" &&
               e.children.size() == 2) {
      column = e.children[0].get();
      values.push_back(e.children[1].get());
    }
    if (!column || column->kind != ExprKind::kColumnRef) return;
    Sink s;
    ref(owner, column->column_names, {}, Ctx{}, s);
    if (s.inputs.size() != 1 || s.inputs[0].subtype != "IDENTITY" ||
        !(s.inputs[0].relation == RelationName{"raw", "api_requests"}) ||
        !iequals(s.inputs[0].column, "endpoint"))
      return;
    for (const Expr* v : values)
      if (v->kind == ExprKind::kConstant && !v->is_null && !contains(endpoints, v->constant))
        endpoints.push_back(v->constant);
  }

  const RelationColumns& rc_;
  std::map<const Flow*, std::optional<std::vector<std::string>>> columns_cache_;
};

bool raw_store(const RelationName& r) {
  return iequals(r.schema, "raw") &&
         (iequals(r.table, "payloads") || iequals(r.table, "api_requests"));
}

}  // namespace

bool ColumnInput::operator==(const ColumnInput& o) const {
  return relation == o.relation && iequals(column, o.column) && field_path == o.field_path &&
         type == o.type && subtype == o.subtype;
}

std::string ColumnInput::label() const {
  std::string out = relation.label() + "." + column;
  if (!field_path.empty()) out += " -> " + field_path;
  return out;
}

ModelLineage column_lineage(const ModelShape& shape, const RelationColumns& relation_columns) {
  ModelLineage m;
  if (!shape.flow) {
    m.known = false;
    m.reason = "no query";
    return m;
  }
  Tracer t(relation_columns);
  auto cols = t.columns_of(*shape.flow);
  if (!cols) {
    m.known = false;
    Sink s;
    t.unknown_flow(*shape.flow, s);
    m.reason = "the model's columns are unknown: " + s.reason;
    if (shape.flow->kind == FlowKind::kSelect || shape.flow->kind == FlowKind::kSetOperation) {
      // A star over an unknown relation: say which.
      const Flow* f = shape.flow.get();
      while (f->kind == FlowKind::kSetOperation && !f->operands.empty()) f = f->operands[0].get();
      if (f->kind == FlowKind::kSelect) {
        for (const auto& item : f->query->select_list) {
          if (item->kind == ExprKind::kStar && f->source) {
            Sink star;
            t.column_at(*f, 0, {}, Ctx{}, star);
            if (!star.known) m.reason = "the model's columns are unknown: " + star.reason;
          }
        }
      }
    }
    return m;
  }
  std::vector<std::string> endpoints;
  Sink dataset;
  t.dataset(*shape.flow, dataset, endpoints);
  for (std::size_t i = 0; i < cols->size(); ++i) {
    Sink s;
    t.column_at(*shape.flow, i, {}, Ctx{}, s);
    ColumnLineage c;
    c.column = (*cols)[i];
    c.inputs = std::move(s.inputs);
    c.known = s.known;
    c.reason = s.reason;
    for (ColumnInput& in : c.inputs)
      if (raw_store(in.relation) && !in.field_path.empty()) in.endpoints = endpoints;
    m.columns.push_back(std::move(c));
  }
  m.dataset = std::move(dataset.inputs);
  return m;
}

}  // namespace baliza::lineage
