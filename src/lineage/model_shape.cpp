#include "lineage/model_shape.h"

#include <algorithm>

namespace baliza::lineage {
namespace {

// The CTEs visible at a point: the first `visible` CTEs of `query`, then the parent's.
struct Scope {
  const Query* query = nullptr;
  std::size_t visible = 0;
  const Scope* parent = nullptr;
};

struct CteHit {
  const Cte* cte = nullptr;
  Scope scope;  // the scope the CTE body is analysed in (earlier CTEs of its WITH + outer)
};

std::optional<CteHit> find_cte(const Scope* s, const std::string& name) {
  for (; s; s = s->parent) {
    for (std::size_t i = s->visible; i-- > 0;) {
      const Cte& c = s->query->ctes[i];
      if (iequals(c.name, name)) return CteHit{&c, Scope{s->query, i, s->parent}};
    }
  }
  return std::nullopt;
}

std::unique_ptr<Flow> analyze_query(const Query& q, const Scope* parent);

std::unique_ptr<Flow> opaque(std::string reason) {
  auto f = std::make_unique<Flow>();
  f->kind = FlowKind::kOpaque;
  f->reason = std::move(reason);
  return f;
}

void collect_subqueries(const Expr& e, const Scope& s, std::vector<std::unique_ptr<Flow>>& out) {
  if (e.kind == ExprKind::kSubquery && e.subquery) out.push_back(analyze_query(*e.subquery, &s));
  for (const auto& c : e.children) collect_subqueries(*c, s, out);
  for (const auto& c : e.partitions) collect_subqueries(*c, s, out);
  for (const auto& c : e.orders) collect_subqueries(*c, s, out);
}

void bindings_of(const Flow& f, std::vector<std::string>& out) {
  if (f.kind == FlowKind::kJoin) {
    if (f.left) bindings_of(*f.left, out);
    if (f.right) bindings_of(*f.right, out);
  } else if (!f.binding.empty()) {
    out.push_back(f.binding);
  }
}

bool binds(const Flow& f, const std::string& name) {
  std::vector<std::string> names;
  bindings_of(f, names);
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return iequals(n, name); });
}

// ON a = b AND ...: key pairs (plain column references on both sides), the rest residual.
void split_join_condition(Flow& join, const Expr& condition) {
  for (const Expr* c : conjuncts(condition)) {
    bool key = c->kind == ExprKind::kComparison && c->type == "COMPARE_EQUAL" &&
               c->children.size() == 2 && c->children[0]->kind == ExprKind::kColumnRef &&
               c->children[1]->kind == ExprKind::kColumnRef;
    if (!key) {
      join.residual.push_back(c);
      continue;
    }
    KeyPair pair{c->children[0]->column_names, c->children[1]->column_names};
    // Left side first: swap when the first reference is qualified by a right-side binding.
    if (pair.left.size() > 1 && join.right && binds(*join.right, pair.left.front()))
      std::swap(pair.left, pair.right);
    join.keys.push_back(std::move(pair));
  }
}

std::unique_ptr<Flow> analyze_table(const TableRef& t, const Scope& s) {
  std::unique_ptr<Flow> f;
  switch (t.kind) {
    case TableKind::kBaseTable: {
      std::optional<CteHit> hit;
      if (t.schema.empty() && t.catalog.empty()) hit = find_cte(&s, t.table);
      if (hit) {
        if (!hit->cte->query) {
          f = opaque("CTE " + t.table + " has no query");
        } else {
          f = analyze_query(*hit->cte->query, &hit->scope);
          f->cte_name = hit->cte->name;
        }
      } else {
        f = std::make_unique<Flow>();
        f->kind = FlowKind::kRelation;
        f->relation = {t.schema, t.table};
      }
      break;
    }
    case TableKind::kJoin: {
      f = std::make_unique<Flow>();
      f->kind = FlowKind::kJoin;
      f->left = analyze_table(*t.left, s);
      f->right = analyze_table(*t.right, s);
      f->join_type = t.join_type;
      f->cross = t.ref_type == "CROSS";
      if (t.ref_type == "NATURAL") f->residual.clear();
      for (const std::string& u : t.using_columns) f->keys.push_back({{u}, {u}});
      if (t.condition) {
        split_join_condition(*f, *t.condition);
        collect_subqueries(*t.condition, s, f->subqueries);
      }
      if (t.ref_type == "NATURAL" || t.ref_type == "ASOF" || t.ref_type == "POSITIONAL") {
        auto o = opaque(t.ref_type + " JOIN");
        o->left = std::move(f->left);
        o->right = std::move(f->right);
        f = std::move(o);
      }
      break;
    }
    case TableKind::kSubquery:
      f = t.subquery ? analyze_query(*t.subquery, &s) : opaque("subquery without a query");
      break;
    case TableKind::kTableFunction:
      f = std::make_unique<Flow>();
      f->kind = FlowKind::kTableFunction;
      if (t.function) collect_subqueries(*t.function, s, f->subqueries);
      break;
    case TableKind::kValues:
      f = std::make_unique<Flow>();
      f->kind = FlowKind::kValues;
      break;
    case TableKind::kEmpty:
      return nullptr;
    case TableKind::kOther:
      f = opaque("FROM item of an unsupported kind");
      break;
  }
  f->table = &t;
  if (f->kind != FlowKind::kJoin) f->binding = t.binding_name();
  return f;
}

const Expr* look_through_casts(const Expr* e) {
  while (e->kind == ExprKind::kCast && !e->children.empty()) e = e->children[0].get();
  return e;
}

bool is_one(const Expr& e) {
  return e.kind == ExprKind::kConstant && e.constant == "1";
}
bool is_two(const Expr& e) {
  return e.kind == ExprKind::kConstant && e.constant == "2";
}

// QUALIFY row_number() OVER (...) = 1 (also <= 1, < 2, 1 = row_number(), 1 >= ...).
const Expr* row_number_equals_one(const Expr& q) {
  if (q.kind != ExprKind::kComparison || q.children.size() != 2) return nullptr;
  const Expr& a = *q.children[0];
  const Expr& b = *q.children[1];
  auto is_rn = [](const Expr& e) {
    return e.kind == ExprKind::kWindow && e.type == "WINDOW_ROW_NUMBER";
  };
  if (is_rn(a) &&
      ((q.type == "COMPARE_EQUAL" || q.type == "COMPARE_LESSTHANOREQUALTO") && is_one(b)))
    return &a;
  if (is_rn(a) && q.type == "COMPARE_LESSTHAN" && is_two(b)) return &a;
  if (is_rn(b) &&
      ((q.type == "COMPARE_EQUAL" || q.type == "COMPARE_GREATERTHANOREQUALTO") && is_one(a)))
    return &b;
  if (is_rn(b) && q.type == "COMPARE_GREATERTHAN" && is_two(a)) return &b;
  return nullptr;
}

bool has_aggregate(const Expr& e) {
  bool found = false;
  walk(e, [&](const Expr& x) {
    if (x.is_aggregate()) found = true;
  });
  return found;
}

void analyze_select(Flow& f, const Query& q, const Scope& s) {
  if (q.from) f.source = analyze_table(*q.from, s);
  if (q.where) {
    f.filters = conjuncts(*q.where);
    collect_subqueries(*q.where, s, f.subqueries);
  }
  for (const auto& item : q.select_list) {
    const Expr* e = look_through_casts(item.get());
    if (e->kind == ExprKind::kFunction && iequals(e->function_name, "unnest"))
      f.unnests.push_back(item.get());
    collect_subqueries(*item, s, f.subqueries);
  }
  f.aggregate = q.aggregates;
  if (f.aggregate) {
    if (q.group_by_all) {
      for (const auto& item : q.select_list)
        if (!has_aggregate(*item) && item->kind != ExprKind::kConstant)
          f.group_keys.push_back(item.get());
    } else {
      for (const auto& g : q.group_by) f.group_keys.push_back(g.get());
    }
  }
  f.having = q.having.get();
  if (q.having) collect_subqueries(*q.having, s, f.subqueries);
  if (q.qualify) {
    f.dedup.qualify = q.qualify.get();
    if (const Expr* rn = row_number_equals_one(*q.qualify)) {
      f.dedup.kind = DedupKind::kRowNumber;
      for (const auto& p : rn->partitions) f.dedup.keys.push_back(p.get());
      for (const auto& o : rn->orders) f.dedup.order.push_back(o.get());
      f.dedup.order_descending = rn->orders_descending;
    } else {
      f.dedup.kind = DedupKind::kWindowFilter;
    }
    collect_subqueries(*q.qualify, s, f.subqueries);
  } else if (q.distinct && !q.distinct_on.empty()) {
    f.dedup.kind = DedupKind::kDistinctOn;
    for (const auto& k : q.distinct_on) f.dedup.keys.push_back(k.get());
    for (const auto& o : q.order_by) {
      f.dedup.order.push_back(o.expr.get());
      f.dedup.order_descending.push_back(o.descending);
    }
  } else if (q.distinct) {
    f.dedup.kind = DedupKind::kDistinct;
    for (const auto& item : q.select_list) f.dedup.keys.push_back(item.get());
  }
}

void visible_ctes(const Scope* s, std::vector<const Cte*>& out) {
  if (!s) return;
  visible_ctes(s->parent, out);
  for (std::size_t i = 0; i < s->visible; ++i) out.push_back(&s->query->ctes[i]);
}

std::unique_ptr<Flow> analyze_query(const Query& q, const Scope* parent) {
  Scope s{&q, q.ctes.size(), parent};
  std::unique_ptr<Flow> f;
  switch (q.kind) {
    case QueryKind::kSelect:
      f = std::make_unique<Flow>();
      f->kind = FlowKind::kSelect;
      analyze_select(*f, q, s);
      break;
    case QueryKind::kSetOperation:
      f = std::make_unique<Flow>();
      f->kind = FlowKind::kSetOperation;
      f->setop_type = q.setop_type;
      f->all = q.setop_all;
      for (const auto& op : q.operands) f->operands.push_back(analyze_query(*op, &s));
      break;
    case QueryKind::kRecursiveCte:
      f = opaque("recursive CTE");
      break;
    case QueryKind::kOther:
      f = opaque("query node of an unsupported kind");
      break;
  }
  f->query = &q;
  visible_ctes(&s, f->visible_ctes);
  return f;
}

void collect_relations(const Flow& f, std::vector<RelationName>& out) {
  if (f.kind == FlowKind::kRelation && std::find(out.begin(), out.end(), f.relation) == out.end())
    out.push_back(f.relation);
  if (f.source) collect_relations(*f.source, out);
  if (f.left) collect_relations(*f.left, out);
  if (f.right) collect_relations(*f.right, out);
  for (const auto& o : f.operands) collect_relations(*o, out);
  for (const auto& sq : f.subqueries) collect_relations(*sq, out);
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ".") + n;
  return out;
}

std::string expr_label(const Expr& e) {
  if (e.kind == ExprKind::kColumnRef) return join_names(e.column_names);
  if (!e.alias.empty()) return e.alias;
  if (!e.function_name.empty()) return e.function_name + "(..)";
  return "expr";
}

std::string keys_label(const std::vector<const Expr*>& keys) {
  std::string out = "[";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? ", " : "") + expr_label(*keys[i]);
  return out + "]";
}

}  // namespace

ModelShape analyze(SqlTree tree) {
  ModelShape shape;
  shape.tree = std::move(tree);
  shape.flow = shape.tree.root ? analyze_query(*shape.tree.root, nullptr) : opaque("empty tree");
  return shape;
}

ModelShape analyze_sql(Connection& conn, std::string_view sql) {
  return analyze(parse_sql(conn, sql));
}

std::vector<RelationName> input_relations(const Flow& flow) {
  std::vector<RelationName> out;
  collect_relations(flow, out);
  return out;
}

const Flow* strip_projections(const Flow& flow) {
  const Flow* f = &flow;
  while (f->kind == FlowKind::kSelect && f->source && f->filters.empty() && f->unnests.empty() &&
         !f->aggregate && f->dedup.kind == DedupKind::kNone && !f->query->has_limit &&
         f->source->kind != FlowKind::kJoin)
    f = f->source.get();
  return f;
}

std::string describe(const Flow& f) {
  std::string out;
  switch (f.kind) {
    case FlowKind::kRelation:
      return f.relation.label();
    case FlowKind::kSelect: {
      std::vector<std::string> parts;
      if (!f.filters.empty()) parts.push_back("filter " + std::to_string(f.filters.size()));
      if (!f.unnests.empty()) parts.push_back("unnest " + std::to_string(f.unnests.size()));
      if (f.aggregate) parts.push_back("group by " + keys_label(f.group_keys));
      if (f.having) parts.push_back("having");
      switch (f.dedup.kind) {
        case DedupKind::kRowNumber:
          parts.push_back("dedup row_number by " + keys_label(f.dedup.keys));
          break;
        case DedupKind::kDistinct:
          parts.push_back("distinct");
          break;
        case DedupKind::kDistinctOn:
          parts.push_back("distinct on " + keys_label(f.dedup.keys));
          break;
        case DedupKind::kWindowFilter:
          parts.push_back("qualify");
          break;
        case DedupKind::kNone:
          break;
      }
      out = "select";
      if (!parts.empty()) {
        out += "(";
        for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
        out += ")";
      }
      if (f.source) out += " <- " + describe(*f.source);
      break;
    }
    case FlowKind::kJoin: {
      std::string keys;
      for (const auto& k : f.keys)
        keys += (keys.empty() ? "" : ", ") + join_names(k.left) + "=" + join_names(k.right);
      out = "(" + describe(*f.left) + " " + (f.cross ? std::string("CROSS") : f.join_type) +
            " JOIN " + describe(*f.right) + (keys.empty() ? "" : " ON " + keys) +
            (f.residual.empty() ? "" : " +" + std::to_string(f.residual.size()) + " residual") +
            ")";
      break;
    }
    case FlowKind::kSetOperation:
      out = f.setop_type + (f.all ? " ALL" : "") + "(";
      for (std::size_t i = 0; i < f.operands.size(); ++i)
        out += (i ? "; " : "") + describe(*f.operands[i]);
      out += ")";
      break;
    case FlowKind::kTableFunction:
      return "table function";
    case FlowKind::kValues:
      return "values";
    case FlowKind::kOpaque:
      return "opaque(" + f.reason + ")";
  }
  if (!f.cte_name.empty()) out = f.cte_name + ":" + out;
  return out;
}

namespace {

std::optional<std::vector<std::string>> join_columns(const Flow& f, const RelationColumns& rc) {
  auto l = output_columns(*f.left, rc);
  auto r = output_columns(*f.right, rc);
  if (!l || !r) return std::nullopt;
  std::vector<std::string> out = *l;
  for (const auto& c : *r) {
    bool using_col = false;
    for (const auto& k : f.keys)
      using_col =
          using_col || (k.left.size() == 1 && k.right.size() == 1 && iequals(k.left[0], c) &&
                        iequals(k.right[0], c) && f.table && !f.table->using_columns.empty());
    if (!using_col) out.push_back(c);
  }
  return out;
}

// The flow a qualified reference's binding names inside a FROM tree (nullptr if none).
const Flow* find_binding(const Flow& f, const std::string& name) {
  if (f.kind == FlowKind::kJoin) {
    if (const Flow* l = find_binding(*f.left, name)) return l;
    return find_binding(*f.right, name);
  }
  return iequals(f.binding, name) ? &f : nullptr;
}

bool contains(const std::vector<std::string>& names, const std::string& n) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& x) { return iequals(x, n); });
}

// Columns a star of `q` produces: (column, binding the star reads it from).
std::optional<std::vector<std::pair<std::string, std::string>>> star_columns(
    const Expr& star, const Flow& source, const RelationColumns& rc) {
  const Flow* from = &source;
  if (!star.star_relation.empty()) {
    from = find_binding(source, star.star_relation);
    if (!from) return std::nullopt;
  }
  auto cols = output_columns(*from, rc);
  if (!cols) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : *cols)
    if (!contains(star.star_exclude, c)) out.emplace_back(c, star.star_relation);
  return out;
}

std::optional<ColumnOrigin> resolve_in_source(const Flow& source, const std::string& binding,
                                              const std::string& column,
                                              const RelationColumns& rc) {
  if (!binding.empty()) {
    const Flow* f = find_binding(source, binding);
    if (!f) return std::nullopt;
    return passthrough_origin(*f, column, rc);
  }
  if (source.kind != FlowKind::kJoin) return passthrough_origin(source, column, rc);
  // Unqualified inside a join: the side whose output has the column (USING keys: the left).
  for (const Flow* side : {source.left.get(), source.right.get()}) {
    auto cols = output_columns(*side, rc);
    if (cols && contains(*cols, column)) return resolve_in_source(*side, "", column, rc);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<std::string>> output_columns(const Flow& f, const RelationColumns& rc) {
  switch (f.kind) {
    case FlowKind::kRelation:
      return rc ? rc(f.relation) : std::nullopt;
    case FlowKind::kJoin:
      return join_columns(f, rc);
    case FlowKind::kSetOperation:
      return f.operands.empty() ? std::nullopt : output_columns(*f.operands.front(), rc);
    case FlowKind::kSelect: {
      std::vector<std::string> out;
      for (const auto& item : f.query->select_list) {
        if (item->kind == ExprKind::kStar &&
            item->children.size() == item->star_replace_names.size()) {
          if (!f.source) return std::nullopt;
          auto cols = star_columns(*item, *f.source, rc);
          if (!cols) return std::nullopt;
          for (const auto& [c, b] : *cols) out.push_back(c);
        } else {
          out.push_back(item->output_name());
        }
      }
      return out;
    }
    case FlowKind::kTableFunction:
    case FlowKind::kValues:
      if (f.table && !f.table->column_aliases.empty()) return f.table->column_aliases;
      return std::nullopt;
    case FlowKind::kOpaque:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<ColumnOrigin> passthrough_origin(const Flow& f, const std::string& column,
                                               const RelationColumns& rc) {
  switch (f.kind) {
    case FlowKind::kRelation: {
      if (rc) {
        auto cols = rc(f.relation);
        if (cols && !contains(*cols, column)) return std::nullopt;
      }
      return ColumnOrigin{f.relation, column, &f};
    }
    case FlowKind::kJoin:
      return resolve_in_source(f, "", column, rc);
    case FlowKind::kSelect: {
      if (!f.source) return std::nullopt;
      for (const auto& item : f.query->select_list) {
        if (item->kind == ExprKind::kStar) {
          if (contains(item->star_replace_names, column)) return std::nullopt;
          if (!item->children.empty() && item->star_replace_names.empty()) return std::nullopt;
          auto cols = star_columns(*item, *f.source, rc);
          if (!cols) continue;
          for (const auto& [c, b] : *cols)
            if (iequals(c, column)) return resolve_in_source(*f.source, b, c, rc);
          continue;
        }
        if (!iequals(item->output_name(), column)) continue;
        if (item->kind != ExprKind::kColumnRef) return std::nullopt;
        const auto& names = item->column_names;
        if (names.size() == 1) return resolve_in_source(*f.source, "", names[0], rc);
        if (names.size() == 2 && find_binding(*f.source, names[0]))
          return resolve_in_source(*f.source, names[0], names[1], rc);
        return std::nullopt;  // a struct field: computed
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace baliza::lineage
