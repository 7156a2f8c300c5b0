#include "lineage/sql_tree.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

#include "core/error.h"

namespace baliza::lineage {
namespace {

using json = nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool present(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && !it->is_null();
}

std::unique_ptr<Query> build_query(const json& node);
std::unique_ptr<Expr> build_expr(const json& j);

void add_child(Expr& e, const json& j, const char* key) {
  if (present(j, key)) e.children.push_back(build_expr(j.at(key)));
}

void add_children(std::vector<std::unique_ptr<Expr>>& out, const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return;
  for (const json& c : *it)
    if (!c.is_null()) out.push_back(build_expr(c));
}

void add_order_bys(Expr& e, const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  const json& orders = it->is_object() ? it->value("orders", json::array()) : *it;
  for (const json& o : orders)
    if (present(o, "expression")) e.children.push_back(build_expr(o.at("expression")));
}

ExprKind kind_of(const std::string& cls) {
  static const std::array<std::pair<const char*, ExprKind>, 13> kinds{{
      {"COLUMN_REF", ExprKind::kColumnRef},
      {"CONSTANT", ExprKind::kConstant},
      {"FUNCTION", ExprKind::kFunction},
      {"WINDOW", ExprKind::kWindow},
      {"COMPARISON", ExprKind::kComparison},
      {"CONJUNCTION", ExprKind::kConjunction},
      {"OPERATOR", ExprKind::kOperator},
      {"CASE", ExprKind::kCase},
      {"CAST", ExprKind::kCast},
      {"BETWEEN", ExprKind::kBetween},
      {"LAMBDA", ExprKind::kLambda},
      {"SUBQUERY", ExprKind::kSubquery},
      {"STAR", ExprKind::kStar},
  }};
  for (const auto& [name, kind] : kinds)
    if (cls == name) return kind;
  return ExprKind::kOther;
}

std::string constant_text(const json& value) {
  if (!value.is_object()) return value.dump();
  if (value.value("is_null", false)) return {};
  auto it = value.find("value");
  if (it == value.end()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Lambda parameters: `lambda x: ..` has lhs COLUMN_REF x; `lambda x, y: ..` a FUNCTION row(x, y).
void collect_lambda_params(const json& lhs, std::vector<std::string>& out) {
  if (lhs.is_null()) return;
  if (str(lhs, "class") == "COLUMN_REF") {
    auto names = strings(lhs, "column_names");
    if (!names.empty()) out.push_back(names.back());
    return;
  }
  auto it = lhs.find("children");
  if (it != lhs.end() && it->is_array())
    for (const json& c : *it) collect_lambda_params(c, out);
}

std::unique_ptr<Expr> build_expr(const json& j) {
  auto e = std::make_unique<Expr>();
  e->json = &j;
  e->type = str(j, "type");
  e->alias = str(j, "alias");
  if (auto it = j.find("query_location"); it != j.end() && it->is_number_unsigned()) {
    auto loc = it->get<std::uint64_t>();
    e->location = loc == UINT64_MAX ? 0 : static_cast<std::size_t>(loc);
  }
  e->kind = kind_of(str(j, "class"));
  switch (e->kind) {
    case ExprKind::kColumnRef:
      e->column_names = strings(j, "column_names");
      break;
    case ExprKind::kConstant:
      e->constant = constant_text(j.value("value", json()));
      e->is_null =
          j.contains("value") && j.at("value").is_object() && j.at("value").value("is_null", false);
      break;
    case ExprKind::kFunction:
      e->function_name = str(j, "function_name");
      e->distinct = j.value("distinct", false);
      add_children(e->children, j, "children");
      add_child(*e, j, "filter");
      add_order_bys(*e, j, "order_bys");
      break;
    case ExprKind::kWindow:
      e->function_name = str(j, "function_name");
      e->distinct = j.value("distinct", false);
      add_children(e->children, j, "children");
      add_children(e->partitions, j, "partitions");
      if (auto it = j.find("orders"); it != j.end() && it->is_array()) {
        for (const json& o : *it) {
          if (!present(o, "expression")) continue;
          e->orders.push_back(build_expr(o.at("expression")));
          e->orders_descending.push_back(str(o, "type") == "DESCENDING");
        }
      }
      for (const char* key :
           {"start_expr", "end_expr", "offset_expr", "default_expr", "filter_expr"})
        add_child(*e, j, key);
      add_order_bys(*e, j, "arg_orders");
      break;
    case ExprKind::kComparison:
      add_child(*e, j, "left");
      add_child(*e, j, "right");
      break;
    case ExprKind::kConjunction:
    case ExprKind::kOperator:
      add_children(e->children, j, "children");
      break;
    case ExprKind::kCase:
      if (auto it = j.find("case_checks"); it != j.end() && it->is_array()) {
        for (const json& check : *it) {
          add_child(*e, check, "when_expr");
          add_child(*e, check, "then_expr");
        }
      }
      add_child(*e, j, "else_expr");
      break;
    case ExprKind::kCast:
      add_child(*e, j, "child");
      e->try_cast = j.value("try_cast", false);
      if (auto it = j.find("cast_type"); it != j.end() && it->is_object())
        e->cast_type = str(*it, "id");
      break;
    case ExprKind::kBetween:
      add_child(*e, j, "input");
      add_child(*e, j, "lower");
      add_child(*e, j, "upper");
      break;
    case ExprKind::kLambda:
      collect_lambda_params(j.value("lhs", json()), e->lambda_params);
      add_child(*e, j, "expr");
      break;
    case ExprKind::kSubquery:
      e->subquery_type = str(j, "subquery_type");
      if (auto it = j.find("subquery"); it != j.end() && it->is_object() && it->contains("node"))
        e->subquery = build_query(it->at("node"));
      add_child(*e, j, "child");
      break;
    case ExprKind::kStar:
      e->star_relation = str(j, "relation_name");
      e->star_exclude = strings(j, "exclude_list");
      if (auto it = j.find("qualified_exclude_list"); it != j.end() && it->is_array()) {
        for (const json& q : *it) {
          auto names = strings(q, "column_names");
          if (!names.empty()) e->star_exclude.push_back(names.back());
        }
      }
      if (auto it = j.find("replace_list"); it != j.end() && it->is_array()) {
        for (const json& r : *it) {
          e->star_replace_names.push_back(str(r, "key"));
          e->children.push_back(build_expr(r.at("value")));
        }
      }
      add_child(*e, j, "expr");  // COLUMNS(...) and *COLUMNS forms
      break;
    case ExprKind::kOther:
      // Walk whatever sub-expressions the node has (COLLATE child, ...).
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it->is_object() && it->contains("class")) e->children.push_back(build_expr(*it));
      }
      add_children(e->children, j, "children");
      break;
  }
  return e;
}

std::unique_ptr<TableRef> build_table(const json& j) {
  auto t = std::make_unique<TableRef>();
  t->json = &j;
  t->alias = str(j, "alias");
  t->column_aliases = strings(j, "column_name_alias");
  const std::string type = str(j, "type");
  if (type == "BASE_TABLE") {
    t->kind = TableKind::kBaseTable;
    t->catalog = str(j, "catalog_name");
    t->schema = str(j, "schema_name");
    t->table = str(j, "table_name");
  } else if (type == "JOIN") {
    t->kind = TableKind::kJoin;
    t->left = build_table(j.at("left"));
    t->right = build_table(j.at("right"));
    t->join_type = str(j, "join_type");
    t->ref_type = str(j, "ref_type");
    if (present(j, "condition")) t->condition = build_expr(j.at("condition"));
    t->using_columns = strings(j, "using_columns");
  } else if (type == "SUBQUERY") {
    t->kind = TableKind::kSubquery;
    if (auto it = j.find("subquery"); it != j.end() && it->is_object() && it->contains("node"))
      t->subquery = build_query(it->at("node"));
  } else if (type == "TABLE_FUNCTION") {
    t->kind = TableKind::kTableFunction;
    if (present(j, "function")) t->function = build_expr(j.at("function"));
  } else if (type == "EMPTY") {
    t->kind = TableKind::kEmpty;
  } else if (type == "EXPRESSION_LIST") {
    t->kind = TableKind::kValues;
  }
  return t;
}

void read_ctes(Query& q, const json& node) {
  auto cte_map = node.find("cte_map");
  if (cte_map == node.end() || !cte_map->is_object()) return;
  auto map = cte_map->find("map");
  if (map == cte_map->end() || !map->is_array()) return;
  for (const json& entry : *map) {
    Cte cte;
    cte.name = str(entry, "key");
    const json& value = entry.at("value");
    cte.column_aliases = strings(value, "aliases");
    if (auto it = value.find("query"); it != value.end() && it->contains("node"))
      cte.query = build_query(it->at("node"));
    q.ctes.push_back(std::move(cte));
  }
}

void read_modifiers(Query& q, const json& node) {
  auto it = node.find("modifiers");
  if (it == node.end() || !it->is_array()) return;
  for (const json& m : *it) {
    const std::string type = str(m, "type");
    if (type == "DISTINCT_MODIFIER") {
      q.distinct = true;
      add_children(q.distinct_on, m, "distinct_on_targets");
    } else if (type == "ORDER_MODIFIER") {
      if (auto orders = m.find("orders"); orders != m.end() && orders->is_array()) {
        for (const json& o : *orders) {
          if (!present(o, "expression")) continue;
          q.order_by.push_back({build_expr(o.at("expression")), str(o, "type") == "DESCENDING"});
        }
      }
    } else if (type == "LIMIT_MODIFIER" || type == "LIMIT_PERCENT_MODIFIER") {
      q.has_limit = true;
    }
  }
}

// Flattens a chain of the same set operation (same type and ALL-ness) into operands.
void flatten_setop(const json& node, const std::string& type, bool all,
                   std::vector<std::unique_ptr<Query>>& out) {
  for (const char* side : {"left", "right"}) {
    const json& child = node.at(side);
    bool same = str(child, "type") == "SET_OPERATION_NODE" && str(child, "setop_type") == type &&
                child.value("setop_all", false) == all &&
                child.value("modifiers", json::array()).empty() &&
                child.value("cte_map", json::object()).value("map", json::array()).empty();
    if (same)
      flatten_setop(child, type, all, out);
    else
      out.push_back(build_query(child));
  }
}

std::unique_ptr<Query> build_query(const json& node) {
  auto q = std::make_unique<Query>();
  q->json = &node;
  read_ctes(*q, node);
  read_modifiers(*q, node);
  const std::string type = str(node, "type");
  if (type == "SELECT_NODE") {
    q->kind = QueryKind::kSelect;
    add_children(q->select_list, node, "select_list");
    if (present(node, "from_table")) q->from = build_table(node.at("from_table"));
    if (present(node, "where_clause")) q->where = build_expr(node.at("where_clause"));
    if (present(node, "having")) q->having = build_expr(node.at("having"));
    if (present(node, "qualify")) q->qualify = build_expr(node.at("qualify"));
    add_children(q->group_by, node, "group_expressions");
    const bool force = str(node, "aggregate_handling") == "FORCE_AGGREGATES";
    q->group_by_all = force && q->group_by.empty();
    q->aggregates = force || !q->group_by.empty();
    if (!q->aggregates) {
      for (const auto& e : q->select_list) {
        walk(*e, [&](const Expr& x) {
          if (x.is_aggregate()) q->aggregates = true;
        });
      }
    }
  } else if (type == "SET_OPERATION_NODE") {
    q->kind = QueryKind::kSetOperation;
    q->setop_type = str(node, "setop_type");
    q->setop_all = node.value("setop_all", false);
    if (node.contains("left") && node.contains("right"))
      flatten_setop(node, q->setop_type, q->setop_all, q->operands);
    if (auto it = node.find("children"); it != node.end() && it->is_array())
      for (const json& c : *it) q->operands.push_back(build_query(c));
  } else if (type == "RECURSIVE_CTE_NODE") {
    q->kind = QueryKind::kRecursiveCte;
    q->setop_type = "UNION";
    q->setop_all = node.value("union_all", false);
    q->operands.push_back(build_query(node.at("left")));
    q->operands.push_back(build_query(node.at("right")));
  }
  return q;
}

bool is_known_aggregate(std::string_view name) {
  static const std::unordered_set<std::string_view> names{"count",
                                                          "count_star",
                                                          "sum",
                                                          "avg",
                                                          "mean",
                                                          "min",
                                                          "max",
                                                          "any_value",
                                                          "first",
                                                          "last",
                                                          "arg_min",
                                                          "arg_max",
                                                          "argmin",
                                                          "argmax",
                                                          "min_by",
                                                          "max_by",
                                                          "list",
                                                          "array_agg",
                                                          "string_agg",
                                                          "group_concat",
                                                          "bool_and",
                                                          "bool_or",
                                                          "bit_and",
                                                          "bit_or",
                                                          "median",
                                                          "mode",
                                                          "quantile",
                                                          "quantile_cont",
                                                          "quantile_disc",
                                                          "stddev",
                                                          "stddev_pop",
                                                          "stddev_samp",
                                                          "var_pop",
                                                          "var_samp",
                                                          "variance",
                                                          "approx_count_distinct",
                                                          "histogram",
                                                          "product",
                                                          "fsum",
                                                          "sumkahan",
                                                          "kahan_sum",
                                                          "entropy",
                                                          "corr",
                                                          "covar_pop",
                                                          "covar_samp",
                                                          "favg",
                                                          "bitstring_agg",
                                                          "every",
                                                          "any",
                                                          "some",
                                                          "json_group_array",
                                                          "json_group_object",
                                                          "count_if",
                                                          "countif",
                                                          "sum_no_overflow",
                                                          "geomean",
                                                          "weighted_avg",
                                                          "approx_quantile",
                                                          "reservoir_quantile",
                                                          "mad",
                                                          "kurtosis",
                                                          "skewness",
                                                          "regr_count",
                                                          "regr_slope",
                                                          "arbitrary"};
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return names.count(lower) > 0;
}

}  // namespace

bool Expr::is_aggregate() const {
  return kind == ExprKind::kFunction && is_known_aggregate(function_name);
}

std::string Expr::output_name() const {
  if (!alias.empty()) return alias;
  if (kind == ExprKind::kColumnRef && !column_names.empty()) return column_names.back();
  return {};
}

std::string TableRef::binding_name() const {
  if (!alias.empty()) return alias;
  if (kind == TableKind::kBaseTable) return table;
  return {};
}

const Cte* Query::find_cte(std::string_view name) const {
  for (const Cte& c : ctes)
    if (iequals(c.name, name)) return &c;
  return nullptr;
}

SqlTree tree_from_json(std::string sql, const nlohmann::json& serialized) {
  return tree_from_json(std::move(sql), nlohmann::json(serialized));
}

SqlTree tree_from_json(std::string sql, nlohmann::json&& serialized) {
  if (serialized.value("error", false)) {
    throw usage_error("SQL does not parse: " + serialized.value("error_message", std::string()) +
                      " (" + serialized.value("error_type", std::string("error")) + ")");
  }
  auto statements = serialized.find("statements");
  if (statements == serialized.end() || !statements->is_array() || statements->size() != 1)
    throw usage_error("expected exactly one SELECT statement to analyse");
  SqlTree tree;
  tree.sql = std::move(sql);
  auto document = std::make_shared<const nlohmann::json>(std::move(serialized));
  tree.root = build_query(document->at("statements").at(0).at("node"));
  tree.document = std::move(document);
  return tree;
}

SqlTree parse_sql(Connection& conn, std::string_view sql) {
  Result r = conn.prepare("SELECT json_serialize_sql($1::VARCHAR)").bind(1, sql).execute();
  std::string text = r.get_string(0, 0);
  json serialized = json::parse(text, nullptr, false);
  if (serialized.is_discarded()) throw usage_error("DuckDB returned an unreadable parse tree");
  return tree_from_json(std::string(sql), std::move(serialized));
}

std::vector<ParsedTree> parse_sqls(Connection& conn, const std::vector<std::string>& sqls) {
  std::vector<ParsedTree> out(sqls.size());
  constexpr std::size_t kChunk = 256;
  for (std::size_t first = 0; first < sqls.size(); first += kChunk) {
    const std::size_t n = std::min(kChunk, sqls.size() - first);
    std::string query = "SELECT i, json_serialize_sql(s::VARCHAR) FROM (VALUES ";
    for (std::size_t k = 0; k < n; ++k)
      query += (k ? ", (" : "(") + std::to_string(k) + ", $" + std::to_string(k + 1) + ")";
    PreparedStatement st = conn.prepare(query + ") AS t(i, s)");
    for (std::size_t k = 0; k < n; ++k) st.bind(k + 1, sqls[first + k]);
    Result r = st.execute();
    for (std::size_t row = 0; row < r.row_count(); ++row) {
      const auto k = static_cast<std::size_t>(r.get_int64(0, row));
      if (k >= n) continue;
      ParsedTree& t = out[first + k];
      json serialized = json::parse(r.get_string(1, row), nullptr, false);
      if (serialized.is_discarded()) {
        t.error = "DuckDB returned an unreadable parse tree";
        continue;
      }
      try {
        t.tree = tree_from_json(sqls[first + k], std::move(serialized));
      } catch (const std::exception& e) {
        t.error = e.what();
      }
    }
  }
  for (ParsedTree& t : out)
    if (!t.tree && t.error.empty()) t.error = "DuckDB returned no parse tree";
  return out;
}

std::string query_sql(Connection& conn, const nlohmann::json& node) {
  json doc = {
      {"error", false},
      {"statements", json::array({json{{"node", node}, {"named_param_map", json::array()}}})}};
  Result r = conn.prepare("SELECT json_deserialize_sql($1::JSON)").bind(1, doc.dump()).execute();
  return r.get_string(0, 0);
}

std::string expression_sql(Connection& conn, const nlohmann::json& expr) {
  json node = {{"type", "SELECT_NODE"},
               {"modifiers", json::array()},
               {"cte_map", {{"map", json::array()}}},
               {"select_list", json::array({expr})},
               {"from_table", {{"type", "EMPTY"}, {"alias", ""}, {"sample", nullptr}}},
               {"where_clause", nullptr},
               {"group_expressions", json::array()},
               {"group_sets", json::array()},
               {"aggregate_handling", "STANDARD_HANDLING"},
               {"having", nullptr},
               {"sample", nullptr},
               {"qualify", nullptr}};
  std::string sql = query_sql(conn, node);
  // "SELECT <expr>" -> "<expr>"
  constexpr std::string_view kPrefix = "SELECT ";
  if (sql.compare(0, kPrefix.size(), kPrefix) == 0) sql.erase(0, kPrefix.size());
  return sql;
}

void walk(const Expr& expr, const std::function<void(const Expr&)>& visit) {
  visit(expr);
  for (const auto& c : expr.children) walk(*c, visit);
  for (const auto& c : expr.partitions) walk(*c, visit);
  for (const auto& c : expr.orders) walk(*c, visit);
}

namespace {
void collect_refs(const Expr& e, std::vector<std::string>& params, std::vector<const Expr*>& out) {
  if (e.kind == ExprKind::kColumnRef) {
    bool is_param = false;
    if (!e.column_names.empty())
      for (const auto& p : params) is_param = is_param || iequals(p, e.column_names.front());
    if (!is_param) out.push_back(&e);
    return;
  }
  std::size_t pushed = 0;
  if (e.kind == ExprKind::kLambda) {
    for (const auto& p : e.lambda_params) params.push_back(p);
    pushed = e.lambda_params.size();
  }
  for (const auto& c : e.children) collect_refs(*c, params, out);
  for (const auto& c : e.partitions) collect_refs(*c, params, out);
  for (const auto& c : e.orders) collect_refs(*c, params, out);
  params.resize(params.size() - pushed);
}

void collect_conjuncts(const Expr& e, std::vector<const Expr*>& out) {
  if (e.kind == ExprKind::kConjunction && e.type == "CONJUNCTION_AND") {
    for (const auto& c : e.children) collect_conjuncts(*c, out);
  } else {
    out.push_back(&e);
  }
}
}  // namespace

std::vector<const Expr*> column_refs(const Expr& expr) {
  std::vector<std::string> params;
  std::vector<const Expr*> out;
  collect_refs(expr, params, out);
  return out;
}

std::vector<const Expr*> conjuncts(const Expr& expr) {
  std::vector<const Expr*> out;
  collect_conjuncts(expr, out);
  return out;
}

}  // namespace baliza::lineage
