#include "lineage/type_checks.h"

#include <algorithm>
#include <cctype>

namespace baliza::lineage {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool starts(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

const Flow* find_binding(const Flow& f, const std::string& name) {
  if (f.kind == FlowKind::kJoin) {
    if (const Flow* l = find_binding(*f.left, name)) return l;
    return find_binding(*f.right, name);
  }
  return iequals(f.binding, name) ? &f : nullptr;
}

std::string names_text(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ".") + n;
  return out;
}

}  // namespace

std::string type_kind(const std::string& type) {
  std::string t = upper(type);
  if (t.empty() || t == "NULL" || t == "\"NULL\"") return "";
  if (t.find('[') != std::string::npos || starts(t, "STRUCT") || starts(t, "MAP")) return t;
  for (const char* n :
       {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
        "UBIGINT", "UHUGEINT", "DECIMAL", "FLOAT", "DOUBLE", "REAL", "INT", "NUMERIC"})
    if (starts(t, n)) return "number";
  if (starts(t, "VARCHAR") || starts(t, "CHAR") || starts(t, "TEXT") || starts(t, "STRING") ||
      t == "JSON")
    return "text";
  if (starts(t, "DATE") || starts(t, "TIMESTAMP") || starts(t, "TIME")) return "datetime";
  if (t == "BOOLEAN" || t == "BOOL") return "boolean";
  return t;
}

std::optional<std::string> TypeChecker::column_type(const RelationName& r,
                                                    const std::string& column, Connection& conn) {
  std::string key = lower((r.schema.empty() ? std::string("main") : r.schema) + "." + r.table);
  auto it = types_.find(key);
  if (it == types_.end() && complete_) return std::nullopt;
  if (it == types_.end()) {
    std::map<std::string, std::string> cols;
    try {
      Result res = conn.query(
          "SELECT column_name, data_type FROM duckdb_columns() WHERE lower(schema_name) = " +
          quote_literal(lower(r.schema.empty() ? std::string("main") : r.schema)) +
          " AND lower(table_name) = " + quote_literal(lower(r.table)) +
          " AND database_name = current_database()");
      for (std::size_t i = 0; i < res.row_count(); ++i)
        cols[lower(res.get_string(0, i))] = res.get_string(1, i);
    } catch (const std::exception&) {
    }
    it = types_.emplace(key, std::move(cols)).first;
  }
  auto c = it->second.find(lower(column));
  if (c == it->second.end()) return std::nullopt;
  return c->second;
}

void TypeChecker::preload(Connection& conn) {
  Result r = conn.query(
      "SELECT lower(schema_name || '.' || table_name), lower(column_name), data_type FROM "
      "duckdb_columns() WHERE database_name = current_database()");
  types_.clear();
  for (std::size_t i = 0; i < r.row_count(); ++i)
    types_[r.get_string(0, i)][r.get_string(1, i)] = r.get_string(2, i);
  complete_ = true;
}

namespace {

struct Walker {
  TypeChecker* checker;
  Connection& conn;
  std::vector<TypeIssue>& out;
  std::function<std::optional<std::string>(const RelationName&, const std::string&)> type_of;
  RelationColumns rc;

  // The catalog type of a column reference read from `source`, when it is a plain copy.
  std::optional<std::string> ref_type(const Flow* source, const std::vector<std::string>& names) {
    if (!source || names.empty()) return std::nullopt;
    std::optional<ColumnOrigin> origin;
    if (names.size() == 2) {
      if (const Flow* b = find_binding(*source, names[0]))
        origin = passthrough_origin(*b, names[1], rc);
    } else if (names.size() == 1) {
      origin = passthrough_origin(*source, names[0], rc);
    }
    if (!origin) return std::nullopt;
    return type_of(origin->relation, origin->column);
  }

  std::optional<std::string> expr_type(const Flow* source, const Expr& e) {
    if (e.kind == ExprKind::kColumnRef) return ref_type(source, e.column_names);
    if (e.kind == ExprKind::kConstant && !e.is_null) {
      auto v = e.json->find("value");
      if (v != e.json->end() && v->is_object() && v->contains("type"))
        return (*v)["type"].value("id", std::string());
    }
    return std::nullopt;
  }

  void comparison(const Flow* source, const Expr& c, bool join_key) {
    if (c.kind != ExprKind::kComparison || c.children.size() != 2) return;
    const Expr& a = *c.children[0];
    const Expr& b = *c.children[1];
    auto ta = expr_type(source, a), tb = expr_type(source, b);
    if (!ta || !tb) return;
    std::string ka = type_kind(*ta), kb = type_kind(*tb);
    if (ka.empty() || kb.empty() || ka == kb) return;
    bool ca = a.kind == ExprKind::kColumnRef, cb = b.kind == ExprKind::kColumnRef;
    if (ca && cb) {
      std::string what = join_key ? "join keys of different types: "
                                  : "comparison of columns of different types: ";
      out.push_back({c.location, what + names_text(a.column_names) + " (" + *ta + ") vs " +
                                     names_text(b.column_names) + " (" + *tb +
                                     "); DuckDB casts one side on every row (no pruning, and a "
                                     "value that does not convert fails the query); cast one "
                                     "of them once upstream so both have the same type"});
      return;
    }
    // A constant compared with a column: DuckDB casts the column when the constant is a number
    // and the column text (a string literal against a DATE or number column is fine: the
    // literal is cast).
    const Expr& col = ca ? a : b;
    std::string kcol = ca ? ka : kb, kconst = ca ? kb : ka;
    std::string tcol = ca ? *ta : *tb, tconst = ca ? *tb : *ta;
    if (kcol == "text" && (kconst == "number" || kconst == "boolean")) {
      out.push_back({c.location, "comparison forces a cast on column " +
                                     names_text(col.column_names) + " (" + tcol + ") against a " +
                                     tconst +
                                     " value: every value of the column is converted; "
                                     "compare with a quoted value ('...') or store the column "
                                     "with the type it holds"});
    }
  }

  void flow(const Flow& f) {
    switch (f.kind) {
      case FlowKind::kSelect:
        for (const Expr* e : f.filters) comparison(f.source.get(), *e, false);
        if (f.source) flow(*f.source);
        break;
      case FlowKind::kJoin: {
        if (f.table && f.table->condition)
          for (const Expr* c : conjuncts(*f.table->condition)) comparison(&f, *c, true);
        if (f.left) flow(*f.left);
        if (f.right) flow(*f.right);
        break;
      }
      case FlowKind::kSetOperation:
        for (const auto& op : f.operands) flow(*op);
        break;
      default:
        break;
    }
    for (const auto& s : f.subqueries) flow(*s);
  }
};

// Branch types of every set operation under `q`, each with the CTEs it can see.
void set_operations(const Query& q, std::vector<nlohmann::json> ctes, Connection& conn,
                    std::vector<TypeIssue>& out);

void set_operations_in_table(const TableRef& t, const std::vector<nlohmann::json>& ctes,
                             Connection& conn, std::vector<TypeIssue>& out) {
  if (t.subquery) set_operations(*t.subquery, ctes, conn, out);
  if (t.left) set_operations_in_table(*t.left, ctes, conn, out);
  if (t.right) set_operations_in_table(*t.right, ctes, conn, out);
}

std::vector<std::pair<std::string, std::string>> describe(Connection& conn, nlohmann::json node,
                                                          const std::vector<nlohmann::json>& ctes) {
  nlohmann::json map = nlohmann::json::array();
  for (const auto& c : ctes) map.push_back(c);
  if (auto own = node.find("cte_map"); own != node.end() && own->contains("map"))
    for (const auto& c : (*own)["map"]) map.push_back(c);
  node["cte_map"] = {{"map", map}};
  std::vector<std::pair<std::string, std::string>> cols;
  try {
    Result r = conn.query("DESCRIBE " + query_sql(conn, node));
    for (std::size_t i = 0; i < r.row_count(); ++i)
      cols.emplace_back(r.get_string(0, i), r.get_string(1, i));
  } catch (const std::exception&) {
    cols.clear();
  }
  return cols;
}

// The k-th output of a SELECT branch is a bare NULL (DuckDB types it INTEGER; it takes the
// other branches' type without harm).
bool null_item(const Query& q, std::size_t k) {
  if (q.kind != QueryKind::kSelect || k >= q.select_list.size()) return false;
  for (const auto& item : q.select_list)
    if (item->kind == ExprKind::kStar) return false;
  const Expr& e = *q.select_list[k];
  return e.kind == ExprKind::kConstant && e.is_null;
}

std::size_t first_location(const Query& q) {
  const Query* s = &q;
  while (s->kind != QueryKind::kSelect && !s->operands.empty()) s = s->operands[0].get();
  if (s->kind == QueryKind::kSelect && !s->select_list.empty()) return s->select_list[0]->location;
  return 0;
}

void set_operations(const Query& q, std::vector<nlohmann::json> ctes, Connection& conn,
                    std::vector<TypeIssue>& out) {
  if (auto own = q.json->find("cte_map"); own != q.json->end() && own->contains("map"))
    for (const auto& c : (*own)["map"]) ctes.push_back(c);
  for (const Cte& c : q.ctes)
    if (c.query) set_operations(*c.query, ctes, conn, out);
  if (q.kind == QueryKind::kSetOperation && q.operands.size() >= 2) {
    bool by_name = q.setop_type == "UNION_BY_NAME";
    auto first = describe(conn, *q.operands[0]->json, ctes);
    for (std::size_t k = 0; k < first.size(); ++k)
      if (null_item(*q.operands[0], k)) first[k].second = "NULL";
    for (std::size_t i = 1; i < q.operands.size() && !first.empty(); ++i) {
      auto other = describe(conn, *q.operands[i]->json, ctes);
      for (std::size_t k = 0; k < other.size(); ++k) {
        const std::pair<std::string, std::string>* base = nullptr;
        if (by_name) {
          for (const auto& f : first)
            if (iequals(f.first, other[k].first)) base = &f;
        } else if (k < first.size()) {
          base = &first[k];
        }
        if (!base || null_item(*q.operands[i], k)) continue;
        std::string ka = type_kind(base->second), kb = type_kind(other[k].second);
        if (ka.empty() || kb.empty() || ka == kb) continue;
        out.push_back({first_location(*q.operands[i]),
                       q.setop_type + " branch " + std::to_string(i + 1) + " gives column " +
                           std::to_string(k + 1) + " (" + other[k].first + ") as " +
                           other[k].second + " where branch 1 gives " + base->second + " (" +
                           base->first +
                           "); DuckDB silently converts the whole column; cast "
                           "the branches to one type explicitly (e.g. " +
                           base->first + "::" + base->second + ")"});
      }
    }
  }
  for (const auto& op : q.operands) set_operations(*op, ctes, conn, out);
  if (q.from) set_operations_in_table(*q.from, ctes, conn, out);
}

}  // namespace

std::vector<TypeIssue> TypeChecker::check(const ModelShape& shape, Connection& conn) {
  std::vector<TypeIssue> out;
  if (!shape.flow || !shape.tree.root) return out;
  Walker w{this, conn, out, nullptr, nullptr};
  w.type_of = [&](const RelationName& r, const std::string& c) { return column_type(r, c, conn); };
  w.rc = [&](const RelationName& r) -> std::optional<std::vector<std::string>> {
    column_type(r, "", conn);  // loads the relation
    std::string key = lower((r.schema.empty() ? std::string("main") : r.schema) + "." + r.table);
    auto it = types_.find(key);
    if (it == types_.end() || it->second.empty()) return std::nullopt;
    std::vector<std::string> cols;
    for (const auto& [name, type] : it->second) cols.push_back(name);
    return cols;
  };
  w.flow(*shape.flow);
  set_operations(*shape.tree.root, {}, conn, out);
  return out;
}

}  // namespace baliza::lineage
