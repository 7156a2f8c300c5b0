#include "lineage/row_links.h"

#include <algorithm>

#include "core/error.h"
#include "lineage/rowid_carrier.h"
#include "lineage/rowid_lists.h"

namespace baliza::lineage {
namespace {

using json = nlohmann::json;

bool scalar_type(const std::string& type) {
  if (type.empty()) return true;  // unknown: keep
  for (const char* bad : {"[]", "STRUCT", "MAP", "UNION", "JSON", "BLOB", "LIST", "ARRAY"})
    if (type.find(bad) != std::string::npos) return false;
  return true;
}

const Expr* select_item(const Flow& f, const std::string& name) {
  for (const auto& item : f.query->select_list)
    if (item->kind != ExprKind::kStar && iequals(item->output_name(), name)) return item.get();
  return nullptr;
}

// The name `column` of the model's top flow has at flow `target`, when the top copies it
// unchanged through row-preserving selects (nullopt otherwise).
// `CASE WHEN .. THEN x [WHEN .. THEN x] [ELSE NULL] END`: x or NULL (nullptr otherwise).
const Expr* value_or_null(const Expr& e) {
  if (e.kind != ExprKind::kCase || e.children.size() < 2) return nullptr;
  const Expr* x = nullptr;
  const std::size_t pairs = e.children.size() / 2;
  for (std::size_t i = 0; i < pairs; ++i) {
    const Expr& then = *e.children[2 * i + 1];
    if (then.kind != ExprKind::kColumnRef) return nullptr;
    if (x && x->column_names != then.column_names) return nullptr;
    x = &then;
  }
  if (e.children.size() % 2 == 1) {
    const Expr& other = *e.children.back();
    if (!(other.kind == ExprKind::kConstant && other.is_null)) return nullptr;
  }
  return x;
}

std::optional<std::string> name_at(const Flow& top, const std::string& column, const Flow& target,
                                   const RelationColumns& rc, bool or_null = false) {
  const Flow* f = &top;
  std::string name = column;
  while (f != &target) {
    if (f->kind != FlowKind::kSelect || !f->source) return std::nullopt;
    bool found = false;
    for (const auto& item : f->query->select_list) {
      if (item->kind == ExprKind::kStar) {
        if (std::any_of(item->star_exclude.begin(), item->star_exclude.end(),
                        [&](const std::string& x) { return iequals(x, name); }))
          continue;
        auto cols = output_columns(*f->source, rc);
        if (cols && std::any_of(cols->begin(), cols->end(),
                                [&](const std::string& c) { return iequals(c, name); })) {
          found = true;
          break;
        }
        continue;
      }
      if (!iequals(item->output_name(), name)) continue;
      const Expr* ref = item.get();
      // A position may be blanked where there is no element: still the same position or NULL.
      if (or_null && item->kind == ExprKind::kCase) ref = value_or_null(*item);
      if (!ref || ref->kind != ExprKind::kColumnRef || ref->column_names.size() > 2)
        return std::nullopt;
      name = ref->column_names.back();
      found = true;
      break;
    }
    if (!found) return std::nullopt;
    f = f->source.get();
  }
  return name;
}

void direct_bindings(const Flow& f, std::vector<DirectInput>& out, bool& other) {
  if (f.kind == FlowKind::kJoin) {
    direct_bindings(*f.left, out, other);
    direct_bindings(*f.right, out, other);
  } else if (f.kind == FlowKind::kRelation) {
    std::string binding = f.binding.empty() ? f.relation.table : f.binding;
    out.push_back({binding, f.relation, quote_identifier(binding) + ".rowid"});
  } else if (!(f.kind == FlowKind::kSelect && !f.source)) {  // a constant row is no input
    other = true;
  }
}

// The selected rows' keys under names no model column has (__k0, __k1, ...), so that the key
// expressions, unqualified as the model writes them, bind to the model's FROM and not to them.
std::string selected_keys(const ModelLinks& links, const std::string& selected) {
  std::string cols;
  for (std::size_t i = 0; i < links.keys.size(); ++i)
    cols +=
        (i ? ", " : "") + quote_identifier(links.keys[i].column) + " AS __k" + std::to_string(i);
  return "SELECT DISTINCT " + cols + " FROM (" + selected + ")";
}

std::string key_match(const ModelLinks& links, const std::string& alias) {
  std::string out;
  for (std::size_t i = 0; i < links.keys.size(); ++i)
    out += (out.empty() ? "" : " AND ") + ("(" + links.keys[i].expr + ") IS NOT DISTINCT FROM " +
                                           alias + ".__k" + std::to_string(i));
  return out.empty() ? "TRUE" : out;
}

std::string where_of(FlowSql& sql, const Flow& f) {
  return f.query->where ? "(" + sql.expr(*f.query->where) + ")" : "TRUE";
}

// The JSON array a field of a struct comes from, when that struct is the element of an outer
// unnest of a parsed page array: `it` in unnest(pl.r.itens) where r = unnest(dados) and
// dados = from_json(body, ..).data gives `$."data"[<record_position>]` + `."itens"`.
void nested_json_path(const Flow& s, const Expr& item, const Flow& top,
                      const std::vector<std::string>& table_cols, const RelationColumns& rc,
                      ModelLinks& links) {
  const Expr* ref = nullptr;
  walk(item, [&](const Expr& x) {
    if (!ref && x.kind == ExprKind::kColumnRef && x.column_names.size() >= 2) ref = &x;
  });
  if (!ref || !s.source || s.source->kind != FlowKind::kSelect) return;
  const Flow& g = *s.source;  // unnests the outer array
  const std::string field = ref->column_names.back();
  const std::string element = ref->column_names[ref->column_names.size() - 2];
  std::string position, path;
  for (const Expr* u : g.unnests) {
    const Expr* e = u;
    while (e->kind == ExprKind::kCast && !e->children.empty()) e = e->children[0].get();
    if (e->children.empty()) continue;
    const Expr* arg = e->children[0].get();
    if (arg->kind == ExprKind::kFunction && iequals(arg->function_name, "range")) {
      position = u->output_name();
    } else if (iequals(u->output_name(), element) && arg->kind == ExprKind::kColumnRef &&
               g.source && g.source->kind == FlowKind::kSelect) {
      const Expr* outer = select_item(*g.source, arg->column_names.back());
      if (outer && outer->kind == ExprKind::kOperator && outer->type == "STRUCT_EXTRACT" &&
          outer->children.size() == 2 && outer->children[1]->kind == ExprKind::kConstant)
        path = "$.\"" + outer->children[1]->constant + "\"";
    }
  }
  if (position.empty() || path.empty()) return;
  for (const std::string& col : table_cols) {
    auto n = name_at(top, col, g, rc, true);
    if (n && iequals(*n, position)) {
      links.outer_json = {{path, col}};
      links.json_path = ".\"" + field + "\"";
      return;
    }
  }
}

bool has_name(const std::optional<std::vector<std::string>>& cols, const std::string& name) {
  if (!cols) return true;  // unknown: do not reject
  return std::any_of(cols->begin(), cols->end(),
                     [&](const std::string& c) { return iequals(c, name); });
}

// Whether a FROM tree has an item that groups rows (an aggregate, DISTINCT, a union) below a
// CTE or subquery: rows that neither a rowid nor a copied column identifies one to one.
bool groups_rows(const Flow& f) {
  switch (f.kind) {
    case FlowKind::kJoin:
      return groups_rows(*f.left) || groups_rows(*f.right);
    case FlowKind::kSelect:
      return f.aggregate || f.dedup.kind == DedupKind::kDistinct ||
             (f.source && groups_rows(*f.source));
    case FlowKind::kSetOperation:
      return true;
    default:
      return false;
  }
}

// One direct input per relation among the rowid-list slots of `bindings` (a relation read under
// several bindings or slots gets their lists concatenated).
void add_list_inputs(const std::vector<std::pair<std::string, std::vector<std::size_t>>>& bindings,
                     const RowidLists& lists, ModelLinks& links) {
  std::vector<std::pair<RelationName, std::vector<std::string>>> per;
  std::vector<std::string> first_binding;
  for (const auto& [binding, slots] : bindings) {
    for (std::size_t k : slots) {
      const RelationName& rel = lists.slots()[k];
      auto it = std::find_if(per.begin(), per.end(), [&](const auto& p) { return p.first == rel; });
      if (it == per.end()) {
        per.emplace_back(rel, std::vector<std::string>{});
        first_binding.push_back(binding);
        it = per.end() - 1;
      }
      it->second.push_back(quote_identifier(binding) + "." +
                           quote_identifier(RowidLists::slot_column(k)));
    }
  }
  for (std::size_t i = 0; i < per.size(); ++i) {
    const auto& parts = per[i].second;
    std::string rowid = parts[0];
    if (parts.size() > 1) {
      rowid = "flatten([";
      for (std::size_t j = 0; j < parts.size(); ++j)
        rowid += (j ? ", " : "") + ("coalesce(" + parts[j] + ", []::BIGINT[])");
      rowid += "])";
    }
    DirectInput in{first_binding[i], per[i].first, rowid, true};
    in.list = true;
    links.direct.push_back(std::move(in));
  }
}

// The counted select's FROM items that are not base relations rewritten to carry rowid lists
// (rowid_lists.h); base relations keep their rowid, origins stay for relations not reached
// directly. False (links unchanged but for a reason) when a shape is not supported.
bool link_listed_from(FlowSql& sql, const Flow& f, ModelLinks& links) {
  RowidLists lists(sql);
  auto from = lists.rewrite_from_items(f);
  if (!from) {
    if (!links.reason.empty()) links.reason += "; rowid lists: " + lists.reason();
    return false;
  }
  links.direct.clear();
  bool other = false;
  direct_bindings(*f.source, links.direct, other);
  add_list_inputs(from->bindings, lists, links);
  links.from_sql = from->from_sql;
  links.origins.erase(std::remove_if(links.origins.begin(), links.origins.end(),
                                     [&](const OriginInput& o) {
                                       return std::any_of(links.direct.begin(), links.direct.end(),
                                                          [&](const DirectInput& d) {
                                                            return d.relation == o.relation;
                                                          });
                                     }),
                      links.origins.end());
  links.reason.clear();
  return true;
}

// Semi-joins of the counted flow's WHERE: `x IN (SELECT y FROM relation [WHERE ..])`.
void link_semi(FlowSql& sql, const Flow& f, ModelLinks& links) {
  if (!f.query || !f.query->where) return;
  for (const Expr* c : conjuncts(*f.query->where)) {
    if (c->kind != ExprKind::kSubquery || c->subquery_type != "ANY" || !c->subquery ||
        c->children.size() != 1 || !c->json ||
        c->json->value("comparison_type", "") != "COMPARE_EQUAL")
      continue;
    const Flow* sub = nullptr;
    for (const auto& s : f.subqueries)
      if (s->query == c->subquery.get()) sub = s.get();
    if (!sub || sub->kind != FlowKind::kSelect || !sub->source ||
        sub->source->kind != FlowKind::kRelation || sub->aggregate || !sub->unnests.empty() ||
        sub->dedup.kind != DedupKind::kNone || sub->query->has_limit ||
        sub->query->select_list.size() != 1 || !sub->subqueries.empty())
      continue;
    const Flow& rel = *sub->source;
    const std::string binding = rel.binding.empty() ? rel.relation.table : rel.binding;
    links.semi.push_back({rel.relation, sql.expr(*c->children[0]),
                          "SELECT " + sql.expr(*sub->query->select_list[0]) + " AS __y, " +
                              quote_identifier(binding) + ".rowid AS rowid FROM " +
                              FlowSql::relation(rel.relation) + " AS " + quote_identifier(binding) +
                              " WHERE " + where_of(sql, *sub)});
  }
}

// A model whose counted flow is a UNION: its rows are the union's rows, identified by their
// scalar columns, each carrying its input row (rowid_carrier.h).
void link_union(FlowSql& sql, Catalog& catalog, const Flow& top, const Flow& f,
                const RelationName& table, const std::vector<std::string>& table_cols,
                ModelLinks& links) {
  RowidCarrier carrier = carry_rowids(sql, f);
  // Operands a single rowid cannot follow (they aggregate, read CTEs): the union rewritten to
  // carry rowid lists instead (rowid_lists.h).
  RowidLists lists(sql);
  std::vector<std::size_t> slots;
  std::optional<std::string> listed;
  if (!carrier.ok()) {
    listed = lists.rewrite(f, slots);
    if (!listed) {
      links.reason = carrier.reason + "; rowid lists: " + lists.reason();
      return;
    }
  }
  RelationColumns rc = catalog.lookup();
  const std::string u = "__u";
  links.with_sql = sql.with_clause(f);
  links.from_sql = "(" + (listed ? *listed : carrier.sql) + ") AS " + u;
  links.where_sql = "TRUE";
  auto union_cols = output_columns(f, rc);
  for (const std::string& col : table_cols) {
    auto n = name_at(top, col, f, rc);
    if (!n || !scalar_type(catalog.type(table, col))) continue;
    if (f.setop_type != "UNION_BY_NAME" && !has_name(union_cols, *n)) continue;
    links.keys.push_back({col, u + "." + quote_identifier(*n)});
  }
  if (links.keys.empty()) {
    links.reason = "no scalar column identifies the union's rows";
    return;
  }
  if (listed) {
    add_list_inputs({{u, slots}}, lists, links);
    return;
  }
  for (const CarriedInput& in : carrier.inputs)
    links.direct.push_back({u, in.relation, u + "." + quote_identifier(in.column), true});
}

}  // namespace

void Catalog::load(const RelationName& r) {
  Result res = conn_
                   .prepare(
                       "SELECT column_name, data_type FROM duckdb_columns() WHERE "
                       "lower(table_name) = lower($2) AND ($1 = '' OR lower(schema_name) = "
                       "lower($1)) ORDER BY column_index")
                   .bind(1, r.schema)
                   .bind(2, r.table)
                   .execute();
  std::vector<std::pair<std::string, std::string>> cols;
  for (std::size_t i = 0; i < res.row_count(); ++i)
    cols.emplace_back(res.get_string(0, i), res.get_string(1, i));
  cache_.emplace_back(r.label(), std::move(cols));
}

std::optional<std::vector<std::string>> Catalog::columns(const RelationName& r) {
  auto find = [&]() -> const std::vector<std::pair<std::string, std::string>>* {
    for (const auto& [label, cols] : cache_)
      if (iequals(label, r.label())) return &cols;
    return nullptr;
  };
  if (!find()) load(r);
  const auto* cols = find();
  if (cols->empty()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& c : *cols) out.push_back(c.first);
  return out;
}

std::string Catalog::type(const RelationName& r, const std::string& column) {
  columns(r);
  for (const auto& [label, cols] : cache_)
    if (iequals(label, r.label()))
      for (const auto& [name, type] : cols)
        if (iequals(name, column)) return type;
  return {};
}

ModelLinks link_model(FlowSql& sql, Catalog& catalog, const ModelShape& shape,
                      const RelationName& table) {
  ModelLinks links;
  const Flow& top = *shape.flow;
  const Flow* f = strip_projections(top);
  links.counted = f;
  RelationColumns rc = catalog.lookup();
  auto table_cols = catalog.columns(table);
  if (!table_cols) {
    links.reason = "table " + table.label() + " not found";
    return links;
  }
  if (f->kind == FlowKind::kSetOperation) {
    link_union(sql, catalog, top, *f, table, *table_cols, links);
    return links;
  }
  if (f->kind != FlowKind::kSelect || !f->source) {
    links.reason = "shape " + describe(*f) + " is not traceable row by row";
    return links;
  }
  links.with_sql = sql.with_clause(*f);
  links.from_sql = sql.from_item(*f->query->from);
  links.where_sql = where_of(sql, *f);
  // A FROM that is a union (a CTE, a subquery): its rows carry their input rowids.
  std::optional<RowidCarrier> carrier;
  if (f->source->kind == FlowKind::kSetOperation) carrier = carry_rowids(sql, *f->source);
  const bool carried = carrier && carrier->ok();
  // Keys: table column -> expression over the counted flow's FROM.
  auto add_key = [&](const std::string& name_in_f, const Expr& e) {
    for (const std::string& col : *table_cols) {
      auto n = name_at(top, col, *f, rc);
      if (n && iequals(*n, name_in_f)) {
        links.keys.push_back({col, sql.expr(e)});
        return true;
      }
    }
    return false;
  };
  if (f->aggregate) {
    for (const Expr* g : f->group_keys) {
      const Expr* item = nullptr;
      for (const auto& it : f->query->select_list)
        if (it.get() == g || (!it->alias.empty() && sql.expr(*it) == sql.expr(*g))) item = it.get();
      if (!item && g->kind == ExprKind::kColumnRef) item = select_item(*f, g->column_names.back());
      if (!item || !add_key(item->output_name(), *g)) {
        links.reason = "group key " + sql.expr(*g) + " is not a column of " + table.label();
        return links;
      }
    }
  } else if (f->dedup.kind == DedupKind::kRowNumber || f->dedup.kind == DedupKind::kDistinctOn) {
    for (const Expr* k : f->dedup.keys) {
      if (k->kind != ExprKind::kColumnRef || !add_key(k->column_names.back(), *k)) {
        links.reason = "dedup key " + sql.expr(*k) + " is not a column of " + table.label();
        return links;
      }
    }
  } else if (auto cols = output_columns(*f, rc)) {
    for (const std::string& c : *cols) {
      auto origin = passthrough_origin(*f, c, rc);
      const Expr* item = select_item(*f, c);
      // Over a carried union: a column the select copies from it (a reference or a star).
      const bool copied = carried && (!item || item->kind == ExprKind::kColumnRef);
      if (origin && !scalar_type(catalog.type(origin->relation, origin->column))) continue;
      if (!origin && !copied) continue;
      std::string expr = item ? sql.expr(*item) : quote_identifier(c);
      for (const std::string& col : *table_cols) {
        auto n = name_at(top, col, *f, rc);
        if (n && iequals(*n, c) && (origin || scalar_type(catalog.type(table, col))))
          links.keys.push_back({col, expr});
      }
    }
  }
  if (links.keys.empty()) {
    links.reason = "no column identifies its rows";
    return links;
  }
  if (f->dedup.kind == DedupKind::kRowNumber) {
    for (const Expr* k : f->dedup.keys)
      links.dedup_partition += (links.dedup_partition.empty() ? "" : ", ") + sql.expr(*k);
    for (std::size_t i = 0; i < f->dedup.order.size(); ++i)
      links.dedup_order += (i ? ", " : "") + sql.expr(*f->dedup.order[i]) +
                           (f->dedup.order_descending[i] ? " DESC" : "");
  }
  bool other = false;
  direct_bindings(*f->source, links.direct, other);
  const bool opaque_from = other && !carried;
  if (other && carried) {
    links.direct.clear();
    const std::string binding = f->source->binding.empty() ? "__u" : f->source->binding;
    links.from_sql = "(" + carrier->sql + ") AS " + quote_identifier(binding);
    for (const CarriedInput& in : carrier->inputs)
      links.direct.push_back({binding, in.relation,
                              quote_identifier(binding) + "." + quote_identifier(in.column), true});
    other = false;
  }
  if (other) {
    links.direct.clear();
    // Columns copied unchanged from base relations identify their rows.
    for (const std::string& col : *table_cols) {
      auto origin = passthrough_origin(top, col, rc);
      if (!origin || !scalar_type(catalog.type(origin->relation, origin->column))) continue;
      auto it = std::find_if(links.origins.begin(), links.origins.end(),
                             [&](const OriginInput& o) { return o.relation == origin->relation; });
      if (it == links.origins.end()) {
        links.origins.push_back({origin->relation, {}});
        it = links.origins.end() - 1;
      }
      it->columns.emplace_back(col, origin->column);
    }
    if (links.origins.empty())
      links.reason = "its input is not a table and no column comes from one" +
                     (carrier ? " (" + carrier->reason + ")" : std::string());
  }
  // FROM items neither a rowid nor the copied columns follow (nothing identifies the rows, or a
  // CTE/subquery groups them): their rows carry the lists of rowids behind them.
  if (opaque_from && (links.origins.empty() || groups_rows(*f->source)))
    link_listed_from(sql, *f, links);
  if (links.traceable()) link_semi(sql, *f, links);
  // Unnest of a JSON array: position column and JSON path.
  for (const Expr* u : f->unnests) {
    const Expr* e = u;
    while (e->kind == ExprKind::kCast && !e->children.empty()) e = e->children[0].get();
    if (e->children.empty()) continue;
    const Expr* arg = e->children[0].get();
    bool position = arg->kind == ExprKind::kFunction && iequals(arg->function_name, "range") &&
                    arg->children.size() == 1;
    if (position) {
      for (const std::string& col : *table_cols) {
        auto n = name_at(top, col, *f, rc, true);
        if (n && iequals(*n, u->output_name())) links.position_column = col;
      }
      continue;
    }
    if (arg->kind != ExprKind::kColumnRef || f->source->kind != FlowKind::kSelect) continue;
    const Expr* item = select_item(*f->source, arg->column_names.back());
    if (item && item->kind == ExprKind::kOperator && item->type == "STRUCT_EXTRACT" &&
        item->children.size() == 2 && item->children[1]->kind == ExprKind::kConstant)
      links.json_path = "$.\"" + item->children[1]->constant + "\"";
    else if (item)
      nested_json_path(*f->source, *item, top, *table_cols, rc, links);
  }
  if (links.json_path.empty()) links.position_column.clear();
  return links;
}

std::string backward_direct_sql(FlowSql& sql, const ModelLinks& links, const DirectInput& input,
                                const std::string& selected) {
  std::string rank = links.dedup_partition.empty()
                         ? std::string("1")
                         : "row_number() OVER (PARTITION BY " + links.dedup_partition +
                               (links.dedup_order.empty() ? "" : " ORDER BY " + links.dedup_order) +
                               ")";
  (void)sql;
  // Before the EXISTS, each key is narrowed to the selected values (or NULL): implied by the
  // EXISTS, so the rows are the same, but DuckDB filters the FROM rows with a hash probe instead
  // of decorrelating the EXISTS over every row of the input (a dedup ranks whole partitions).
  const std::string keys = selected_keys(links, selected);
  std::string narrow;
  for (std::size_t i = 0; i < links.keys.size(); ++i)
    narrow += " AND ((" + links.keys[i].expr + ") IN (SELECT __k" + std::to_string(i) + " FROM (" +
              keys + ")) OR (" + links.keys[i].expr + ") IS NULL)";
  const std::string rows = " FROM " + links.from_sql + " WHERE " + links.where_sql + " AND " +
                           input.rowid + " IS NOT NULL" + narrow + " AND EXISTS (SELECT 1 FROM (" +
                           keys + ") AS __sel WHERE " + key_match(links, "__sel") + ")";
  if (input.list)  // every rowid of the FROM row's list
    return links.with_sql + "SELECT unnest(__l) AS rowid, __rank FROM (SELECT " + input.rowid +
           " AS __l, " + rank + " AS __rank" + rows + ")";
  return links.with_sql + "SELECT " + input.rowid + " AS rowid, " + rank + " AS __rank" + rows;
}

std::string backward_direct_all_sql(const ModelLinks& links, const std::string& selected) {
  std::string rank = links.dedup_partition.empty()
                         ? std::string("1")
                         : "row_number() OVER (PARTITION BY " + links.dedup_partition +
                               (links.dedup_order.empty() ? "" : " ORDER BY " + links.dedup_order) +
                               ")";
  const std::string keys = selected_keys(links, selected);
  std::string narrow;
  for (std::size_t i = 0; i < links.keys.size(); ++i)
    narrow += " AND ((" + links.keys[i].expr + ") IN (SELECT __k" + std::to_string(i) + " FROM (" +
              keys + ")) OR (" + links.keys[i].expr + ") IS NULL)";
  std::string cols, any;
  for (std::size_t i = 0; i < links.direct.size(); ++i) {
    cols += links.direct[i].rowid + " AS __r" + std::to_string(i) + ", ";
    any += (i ? " OR " : "") + links.direct[i].rowid + " IS NOT NULL";
  }
  // The FROM rows behind the selected rows, once, with every input's rowid (the same rows and
  // ranks as backward_direct_sql per input: a row counts for the inputs whose rowid is there).
  const std::string rows = "__rows AS MATERIALIZED (SELECT " + cols + rank + " AS __rank FROM " +
                           links.from_sql + " WHERE " + links.where_sql + " AND (" + any + ")" +
                           narrow + " AND EXISTS (SELECT 1 FROM (" + keys + ") AS __sel WHERE " +
                           key_match(links, "__sel") + "))";
  std::string with = links.with_sql.empty()
                         ? "WITH " + rows + " "
                         : links.with_sql.substr(0, links.with_sql.size() - 1) + ", " + rows + " ";
  std::string out;
  for (std::size_t i = 0; i < links.direct.size(); ++i) {
    const std::string r = "__r" + std::to_string(i);
    out += (i ? " UNION ALL " : "") + ("SELECT " + std::to_string(i) + " AS __input, ") +
           (links.direct[i].list ? "unnest(" + r + ")" : r) +
           " AS rowid, __rank FROM __rows WHERE " + r + " IS NOT NULL";
  }
  return with + out;
}

std::string backward_origin_sql(const OriginInput& input, const std::string& selected) {
  std::string match;
  for (const auto& [mcol, rcol] : input.columns)
    match +=
        (match.empty() ? "" : " AND ") +
        ("__r." + quote_identifier(rcol) + " IS NOT DISTINCT FROM __sel." + quote_identifier(mcol));
  return "SELECT __r.rowid AS rowid, 1 AS __rank FROM " + FlowSql::relation(input.relation) +
         " AS __r WHERE EXISTS (SELECT 1 FROM (" + selected + ") AS __sel WHERE " + match + ")";
}

namespace {

// The model's table rows whose FROM rows (in the counted flow, WHERE applied) satisfy `hit`;
// through a dedup only the kept versions.
std::string forward_rows_sql(const ModelLinks& links, const std::string& hit,
                             const RelationName& table) {
  std::string keys;
  for (std::size_t i = 0; i < links.keys.size(); ++i)
    keys += (i ? ", " : "") + links.keys[i].expr + " AS " + quote_identifier(links.keys[i].column);
  std::string from_rows;
  if (links.dedup_partition.empty()) {
    from_rows = links.with_sql + "SELECT " + keys + " FROM " + links.from_sql + " WHERE " +
                links.where_sql + " AND " + hit;
  } else {
    // Through a dedup only the kept versions matter: an older version changes nothing.
    std::string cols;
    for (const RowKey& k : links.keys)
      cols += (cols.empty() ? "" : ", ") + quote_identifier(k.column);
    from_rows = links.with_sql + "SELECT " + cols + " FROM (SELECT " + keys + ", " + hit +
                " AS __hit, row_number() OVER (PARTITION BY " + links.dedup_partition +
                (links.dedup_order.empty() ? "" : " ORDER BY " + links.dedup_order) +
                ") AS __rank FROM " + links.from_sql + " WHERE " + links.where_sql +
                ") WHERE __rank = 1 AND __hit";
  }
  std::string match;
  for (const RowKey& k : links.keys)
    match += (match.empty() ? "" : " AND ") +
             ("__m." + quote_identifier(k.column) + " IS NOT DISTINCT FROM __x." +
              quote_identifier(k.column));
  return "SELECT __m.rowid AS rowid FROM " + FlowSql::relation(table) +
         " AS __m WHERE EXISTS (SELECT 1 FROM (" + from_rows + ") AS __x WHERE " + match + ")";
}

}  // namespace

std::string forward_direct_sql(FlowSql& sql, const ModelLinks& links, const DirectInput& input,
                               const RelationName& table, const std::string& input_rowids) {
  (void)sql;
  // A FROM row is affected when its rowid (or one in its rowid list) is an affected input row.
  const std::string hit = input.list
                              ? "coalesce(list_has_any(" + input.rowid +
                                    ", (SELECT coalesce(list(rowid), []::BIGINT[]) FROM (" +
                                    input_rowids + "))), false)"
                              : "coalesce(" + input.rowid + " IN (" + input_rowids + "), false)";
  return forward_rows_sql(links, hit, table);
}

std::string forward_semi_sql(const ModelLinks& links, const SemiInput& input,
                             const RelationName& table, const std::string& input_rowids) {
  const std::string hit = "coalesce((" + input.outer + ") IN (SELECT __y FROM (" + input.rows +
                          ") WHERE rowid IN (" + input_rowids + ")), false)";
  return forward_rows_sql(links, hit, table);
}

std::string backward_semi_sql(const ModelLinks& links, const SemiInput& input,
                              const std::string& selected) {
  return "SELECT rowid, 1 AS __rank FROM (" + input.rows + ") WHERE __y IN (" + links.with_sql +
         "SELECT " + input.outer + " FROM " + links.from_sql + " WHERE " + links.where_sql +
         " AND EXISTS (SELECT 1 FROM (" + selected_keys(links, selected) + ") AS __sel WHERE " +
         key_match(links, "__sel") + "))";
}

std::string forward_origin_sql(const OriginInput& input, const RelationName& table,
                               const std::string& input_rowids) {
  std::string match;
  for (const auto& [mcol, rcol] : input.columns)
    match +=
        (match.empty() ? "" : " AND ") +
        ("__m." + quote_identifier(mcol) + " IS NOT DISTINCT FROM __x." + quote_identifier(rcol));
  return "SELECT __m.rowid AS rowid FROM " + FlowSql::relation(table) +
         " AS __m WHERE EXISTS (SELECT 1 FROM (SELECT * FROM " + FlowSql::relation(input.relation) +
         " WHERE rowid IN (" + input_rowids + ")) AS __x WHERE " + match + ")";
}

std::optional<std::string> recompute_sql(FlowSql& sql, const ModelShape& shape,
                                         const ModelLinks& links, const std::string& selected) {
  const Flow& f = *links.counted;
  if (&f != shape.flow.get() || !f.query || f.kind != FlowKind::kSelect) return std::nullopt;
  // WHERE <model's where> AND EXISTS (selected rows with the same keys), spliced into the
  // model's own query node.
  Result r =
      sql.connection()
          .prepare("SELECT json_serialize_sql($1::VARCHAR)")
          .bind(1, "SELECT 1 WHERE EXISTS (SELECT 1 FROM (" + selected_keys(links, selected) +
                       ") AS __sel WHERE " + key_match(links, "__sel") + ")")
          .execute();
  json parsed = json::parse(r.get_string(0, 0), nullptr, false);
  if (parsed.is_discarded() || parsed.value("error", false))
    throw failure("cannot restrict the model's query to the selected rows");
  json exists = parsed["statements"][0]["node"]["where_clause"];
  json node = *f.query->json;
  node["cte_map"] = {{"map", json::array()}};
  if (node["where_clause"].is_null()) {
    node["where_clause"] = exists;
  } else {
    node["where_clause"] = {{"class", "CONJUNCTION"},
                            {"type", "CONJUNCTION_AND"},
                            {"alias", ""},
                            {"query_location", 0},
                            {"children", json::array({node["where_clause"], exists})}};
  }
  return sql.with_clause(f) + query_sql(sql.connection(), node);
}

}  // namespace baliza::lineage
