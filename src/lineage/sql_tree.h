// The SQL tree: one SELECT statement as DuckDB's own parser sees it, walked once into a
// navigable tree. Shared by everything that explains data (record ledger, trace, impact,
// reconcile, column lineage, OpenLineage); see ../shared/DESIGN.md "Explaining data".
//
// How: DuckDB serializes its parse tree (`json_serialize_sql(sql)`); parse_sql() runs it on a
// connection and turns the JSON into the structs below. Nothing is guessed from SQL text: every
// node is what DuckDB's parser produced. Each node points to its original JSON (`json`, inside
// the parsed document the SqlTree owns: no per-node copy), so a caller can change a copy and
// turn it back into SQL with DuckDB's `json_deserialize_sql`
// (to_sql / expression_sql / query_sql): that is how the ledger and trace build derived
// queries (count the rows a WHERE rejects, the rows behind one output row) without printing SQL.
//
// Contract:
// - Queries: SELECT_NODE (kSelect), SET_OPERATION_NODE (kSetOperation, operands flattened
//   left-to-right: `a union all b union all c` has 3 operands when the set type and ALL-ness
//   are the same), RECURSIVE_CTE_NODE (kRecursiveCte: operands = [anchor, recursive part]);
//   anything else is kOther (never dropped silently: callers treat it as "unknown shape").
// - Each Query has its own WITH list (`ctes`, in order); CTE references are not resolved here
//   (a BASE_TABLE named like a CTE is a CTE reference when that CTE is in scope): the scope
//   rules live in model_shape.h (resolve_table), so this tree stays a faithful parse.
// - Expressions: `kind` is DuckDB's expression class; `type` its expression type
//   (COMPARE_EQUAL, OPERATOR_NOT, WINDOW_ROW_NUMBER, ...). `children` holds every direct
//   sub-expression in a fixed order per kind (documented on Expr), so a generic walk reaches
//   all column references. Subqueries inside expressions are in `subquery` (not in children).
// - Lambda parameters (`lambda x: x.a`) are recorded on the LAMBDA node (`lambda_params`);
//   column_refs() skips references to them.
// - Names are kept as written (DuckDB lower-cases nothing); compare case-insensitively
//   (iequals) as DuckDB does for identifiers.
//
// Errors: parse_sql throws baliza::Error (kUsage) with DuckDB's parser message when the SQL does
// not parse, or when it is not exactly one SELECT statement. Trees are plain values: no
// reference to the connection survives the call. Thread-safety: none needed (values).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ascii_case.h"
#include "db/database.h"

namespace baliza::lineage {

struct Query;

enum class ExprKind {
  kColumnRef,    // column_names: ["t", "id"] or ["id"] or ["r", "field", "sub"] (struct path)
  kConstant,     // constant: the value as text; is_null
  kFunction,     // function_name; children = arguments; filter (FILTER (WHERE ..)) and
                 // order_bys (aggregate ORDER BY) are appended to children after the arguments;
                 // distinct (count(distinct x))
  kWindow,       // function_name; children = arguments; partitions; orders; frame bounds,
                 // filter, offset/default are appended to children after the arguments
  kComparison,   // children = [left, right]
  kConjunction,  // type CONJUNCTION_AND / CONJUNCTION_OR; children
  kOperator,     // type OPERATOR_NOT / OPERATOR_IS_NULL / COMPARE_IN / OPERATOR_COALESCE ...
  kCase,         // children = [when1, then1, when2, then2, ..., else]
  kCast,         // children = [child]; cast_type; try_cast
  kBetween,      // children = [input, lower, upper]
  kLambda,       // lambda_params; children = [body]
  kSubquery,     // subquery; subquery_type (SCALAR, EXISTS, ANY, ...); children = [lhs] for IN
  kStar,         // star_relation ("t" for t.*), star_exclude, children = REPLACE expressions
  kOther,        // collate, parameter, positional reference, ...: children still walked
};

struct Expr {
  ExprKind kind = ExprKind::kOther;
  std::string type;          // DuckDB expression type, e.g. COMPARE_EQUAL, WINDOW_ROW_NUMBER
  std::string alias;         // "" when none
  std::size_t location = 0;  // byte offset in the SQL (DuckDB's query_location; 0 if unknown)
  std::string function_name;
  bool distinct = false;
  std::vector<std::string> column_names;
  std::string constant;
  bool is_null = false;
  std::string cast_type;
  bool try_cast = false;
  std::vector<std::string> lambda_params;
  std::string subquery_type;
  std::unique_ptr<Query> subquery;
  std::string star_relation;
  std::vector<std::string> star_exclude;
  std::vector<std::string> star_replace_names;  // parallel to children for kStar
  std::vector<std::unique_ptr<Expr>> children;
  std::vector<std::unique_ptr<Expr>> partitions;  // kWindow
  std::vector<std::unique_ptr<Expr>> orders;      // kWindow; order expressions
  std::vector<bool> orders_descending;            // kWindow; parallel to orders
  const nlohmann::json* json = nullptr;           // DuckDB's node, in SqlTree::document

  bool is_aggregate() const;  // a FUNCTION that is a known aggregate (count, sum, ...)
  // The name this expression has in its select list: alias, else the last column name of a
  // column reference, else "" (DuckDB would invent one).
  std::string output_name() const;
};

enum class TableKind {
  kBaseTable,      // schema, table (a relation or a CTE name)
  kJoin,           // left, right, join_type, ref_type, condition, using_columns
  kSubquery,       // subquery
  kTableFunction,  // function (an Expr of kind kFunction), e.g. read_csv(...), unnest(...)
  kEmpty,          // no FROM
  kValues,         // VALUES lists
  kOther,
};

struct TableRef {
  TableKind kind = TableKind::kOther;
  std::string alias;  // "" when none
  std::vector<std::string> column_aliases;
  std::string catalog, schema, table;  // kBaseTable
  std::unique_ptr<TableRef> left, right;
  std::string join_type;  // INNER, LEFT, RIGHT, OUTER, SEMI, ANTI, ...
  std::string ref_type;   // REGULAR, NATURAL, CROSS, POSITIONAL, ASOF, DEPENDENT
  std::unique_ptr<Expr> condition;
  std::vector<std::string> using_columns;
  std::unique_ptr<Query> subquery;       // kSubquery
  std::unique_ptr<Expr> function;        // kTableFunction
  const nlohmann::json* json = nullptr;  // in SqlTree::document

  // The name a query uses for this table: alias, else table name (kBaseTable), else "".
  std::string binding_name() const;
};

struct Cte {
  std::string name;
  std::vector<std::string> column_aliases;
  std::unique_ptr<Query> query;
};

enum class QueryKind { kSelect, kSetOperation, kRecursiveCte, kOther };

struct OrderTerm {
  std::unique_ptr<Expr> expr;
  bool descending = false;
};

struct Query {
  QueryKind kind = QueryKind::kOther;
  std::vector<Cte> ctes;
  // kSelect
  std::vector<std::unique_ptr<Expr>> select_list;
  std::unique_ptr<TableRef> from;  // kEmpty when there is no FROM
  std::unique_ptr<Expr> where, having, qualify;
  std::vector<std::unique_ptr<Expr>> group_by;
  bool group_by_all = false;  // GROUP BY ALL (group_by is then empty)
  bool aggregates = false;    // GROUP BY of any form, or an aggregate in the select list
  bool distinct = false;      // SELECT DISTINCT or DISTINCT ON
  std::vector<std::unique_ptr<Expr>> distinct_on;
  std::vector<OrderTerm> order_by;
  bool has_limit = false;
  // kSetOperation / kRecursiveCte
  std::string setop_type;  // UNION, EXCEPT, INTERSECT, UNION_BY_NAME
  bool setop_all = false;
  std::vector<std::unique_ptr<Query>> operands;
  // DuckDB's query node (without the statement wrapper), in SqlTree::document.
  const nlohmann::json* json = nullptr;

  // The CTE named `name` declared on this query (not its parents), or nullptr.
  const Cte* find_cte(std::string_view name) const;
};

struct SqlTree {
  std::string sql;  // the SQL that was parsed
  // json_serialize_sql's document; every node's `json` points into it (it lives as long as the
  // tree, moves with it, and is never changed).
  std::shared_ptr<const nlohmann::json> document;
  std::unique_ptr<Query> root;
};

// Parses one SELECT statement with DuckDB's parser on `conn`. Throws usage_error on a parse
// error ("SQL does not parse: <DuckDB's message>") or when `sql` is not one SELECT.
SqlTree parse_sql(Connection& conn, std::string_view sql);

// parse_sql for many statements, with one DuckDB query per chunk of them (a query costs more
// than parsing a small model). Entry i is sqls[i]'s tree, or the message parse_sql would throw.
struct ParsedTree {
  std::optional<SqlTree> tree;
  std::string error;
};
std::vector<ParsedTree> parse_sqls(Connection& conn, const std::vector<std::string>& sqls);

// Builds the tree from json_serialize_sql's output (exposed for tests and callers that already
// hold the JSON; the rvalue form takes the document without copying it). Throws usage_error as
// parse_sql does.
SqlTree tree_from_json(std::string sql, const nlohmann::json& serialized);
SqlTree tree_from_json(std::string sql, nlohmann::json&& serialized);

// SQL text of a query node / expression, through DuckDB's json_deserialize_sql (so it is
// exactly what DuckDB would run). `node` is a query node's JSON (Query::json, possibly edited).
std::string query_sql(Connection& conn, const nlohmann::json& node);
std::string expression_sql(Connection& conn, const nlohmann::json& expr);

// Every column reference under `expr` (lambda parameters excluded, subqueries not entered).
std::vector<const Expr*> column_refs(const Expr& expr);
// Visits expr and every sub-expression (not entering subqueries), pre-order.
void walk(const Expr& expr, const std::function<void(const Expr&)>& visit);
// The conjuncts of a predicate: `a and (b and c)` -> [a, b, c]; anything else -> [expr].
std::vector<const Expr*> conjuncts(const Expr& expr);

// ASCII case-insensitive equality (SQL identifiers), as DuckDB folds them.
inline bool iequals(std::string_view a, std::string_view b) {
  return ascii_iequals(a, b);
}

}  // namespace baliza::lineage
