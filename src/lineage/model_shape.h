// Model shape: how a model's rows relate to its inputs' rows, derived from its SQL tree
// (sql_tree.h). One analysis feeds the record ledger, trace, impact and reconcile; column
// lineage builds on the same Flow tree (scopes resolved, CTEs inlined).
//
// A Flow is a row producer:
//   kRelation       rows of a database relation the model reads (an upstream model, seed or
//                   source, as its compiled SQL names it: schema.table)
//   kSelect         a SELECT over `source` (its FROM, nullptr when there is none): the rows of
//                   source, then WHERE `filters` (conjuncts, in order), then set-returning
//                   `unnests` in the select list (each input row becomes len(list) rows), then
//                   `aggregate` (GROUP BY `group_keys`; HAVING `having`), then `dedup`
//                   (QUALIFY row_number() over (partition by keys order by ...) = 1, DISTINCT,
//                   DISTINCT ON, or any other QUALIFY as a window filter)
//   kJoin           `left` joined to `right` (join_type as DuckDB names it: INNER, LEFT, ...);
//                   `keys` are the equality pairs of the ON/USING condition (left side first),
//                   `residual` the conjuncts that are not key equalities; `cross` for a comma
//                   join / CROSS JOIN
//   kSetOperation   `operands` combined by setop_type (UNION, EXCEPT, ...), `all` or distinct
//   kTableFunction  rows of a table function (read_csv, unnest(...), range(...)): opaque input
//   kValues         rows of a VALUES list (constants)
//   kOpaque         a shape the analysis does not understand; `reason` says what
//
// CTE references are resolved with SQL's scoping (a CTE sees the CTEs declared before it in the
// same WITH, and the enclosing queries' CTEs); the flow of a CTE body carries its name in
// `cte_name`. A CTE referenced twice yields two flows (the tree is a tree). Recursive CTEs are
// kOpaque. Pointers into the SqlTree (`query`, `table`, Expr*) stay valid as long as the
// SqlTree given to analyze() lives and is not moved-from: keep them together (ModelShape does).
//
// Contract for column lineage (issue 12): Flow::query is the SELECT node a kSelect flow comes
// from, so output columns are its select_list (stars expand over source's columns); a column
// reference resolves against `source` (kSelect) whose kJoin children carry `binding` (the alias
// or table name a query uses for them). output_columns() expands stars given the columns of
// base relations, which the caller provides (the database catalog).
//
// Errors: analysis never throws for an unknown shape: it answers kOpaque with a reason.
// Threads: values only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lineage/sql_tree.h"

namespace baliza::lineage {

// A relation as the compiled SQL names it (schema may be empty: the default schema).
struct RelationName {
  std::string schema;
  std::string table;
  std::string label() const { return schema.empty() ? table : schema + "." + table; }
  bool operator==(const RelationName& o) const {
    return iequals(schema, o.schema) && iequals(table, o.table);
  }
};

enum class FlowKind { kRelation, kSelect, kJoin, kSetOperation, kTableFunction, kValues, kOpaque };

enum class DedupKind {
  kNone,
  kRowNumber,     // QUALIFY row_number() OVER (PARTITION BY keys ORDER BY order) = 1 (or <= 1, < 2)
  kDistinct,      // SELECT DISTINCT (keys: the whole select list)
  kDistinctOn,    // DISTINCT ON (keys) with ORDER BY order
  kWindowFilter,  // any other QUALIFY: a filter over window values (`qualify`)
};

struct Dedup {
  DedupKind kind = DedupKind::kNone;
  std::vector<const Expr*> keys;
  std::vector<const Expr*> order;
  std::vector<bool> order_descending;
  const Expr* qualify = nullptr;  // the QUALIFY expression, when there is one
};

struct KeyPair {
  // ON l = r: the column references as written; USING (k): both sides named k.
  std::vector<std::string> left;
  std::vector<std::string> right;
};

struct Flow {
  FlowKind kind = FlowKind::kOpaque;
  std::string cte_name;  // the CTE this flow is the body of ("" otherwise)
  std::string binding;   // alias / table name the enclosing query uses for this flow
  std::string reason;    // kOpaque: why

  RelationName relation;            // kRelation
  const TableRef* table = nullptr;  // the FROM item this flow comes from (kRelation, kJoin, ...)

  const Query* query = nullptr;  // kSelect, kSetOperation: the query node
  std::unique_ptr<Flow> source;  // kSelect: FROM (nullptr when no FROM)
  std::vector<const Expr*> filters;
  std::vector<const Expr*> unnests;
  bool aggregate = false;
  std::vector<const Expr*> group_keys;  // GROUP BY ALL: the select items without aggregates
  const Expr* having = nullptr;
  Dedup dedup;

  std::unique_ptr<Flow> left, right;  // kJoin
  std::string join_type;
  bool cross = false;
  std::vector<KeyPair> keys;
  std::vector<const Expr*> residual;

  std::vector<std::unique_ptr<Flow>> operands;  // kSetOperation
  std::string setop_type;
  bool all = false;

  // Subqueries inside this flow's expressions (WHERE x IN (SELECT ..), scalar subqueries),
  // analysed in this flow's scope: they read relations too (input_relations includes them).
  std::vector<std::unique_ptr<Flow>> subqueries;

  // kSelect, kSetOperation: the CTEs visible where the query stands, outermost scope first, in
  // declaration order (the query's own WITH last): what a standalone copy of `query` needs.
  std::vector<const Cte*> visible_ctes;
};

// A model's analysed SQL: the tree and the flow that points into it (kept together).
struct ModelShape {
  SqlTree tree;
  std::unique_ptr<Flow> flow;

  ModelShape() = default;
  ModelShape(ModelShape&&) = default;
  ModelShape& operator=(ModelShape&&) = default;
};

// Analyses a parsed statement. The result owns `tree`.
ModelShape analyze(SqlTree tree);
// Parses (parse_sql) and analyses.
ModelShape analyze_sql(Connection& conn, std::string_view sql);

// Every relation read under `flow` (relations inside expression subqueries included), in the
// order met, without repeats.
std::vector<RelationName> input_relations(const Flow& flow);

// Follows a kSelect chain through row-preserving selects to the flow whose rows the model's
// rows are counted against: skips kSelect flows without filters/unnest/aggregate/dedup/limit
// whose source is not a join (a select over a join is where the join is counted).
const Flow* strip_projections(const Flow& flow);

// A one-line description for people, e.g.
// "select(filter 1, dedup row_number by [numero_controle_pncp]) <- staging.x_registros".
std::string describe(const Flow& flow);

// The output column names of a flow, expanding `*` (EXCLUDE, REPLACE, t.*) over the columns of
// base relations given by `relation_columns` (nullopt when unknown: the answer is then nullopt).
using RelationColumns = std::function<std::optional<std::vector<std::string>>(const RelationName&)>;
std::optional<std::vector<std::string>> output_columns(const Flow& flow,
                                                       const RelationColumns& relation_columns);

// Where a column of `flow`'s output comes from when it is copied unchanged (a chain of plain
// column references, through stars, CTEs, subqueries and joins) down to a base relation:
// {relation, column}; nullopt when it is computed, ambiguous or unknown.
struct ColumnOrigin {
  RelationName relation;
  std::string column;
  const Flow* relation_flow = nullptr;  // the kRelation flow it reads
};
std::optional<ColumnOrigin> passthrough_origin(const Flow& flow, const std::string& column,
                                               const RelationColumns& relation_columns);

}  // namespace baliza::lineage
