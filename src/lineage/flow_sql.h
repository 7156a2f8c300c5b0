// SQL text for pieces of an analysed model (model_shape.h), so that derived queries (count the
// rows a WHERE rejects, the rows behind one output row) run on exactly what the model runs.
//
// Every text comes from DuckDB's json_deserialize_sql over the parse tree (sql_tree.h), never
// from string surgery on the model's SQL. A flow's standalone SQL is its visible CTEs as one
// WITH (outermost first; the query's own WITH is moved into it) followed by its query.
//
// Errors: baliza::Error from DuckDB when a piece cannot be turned back into SQL. Not
// thread-safe: one FlowSql per connection and thread. Texts are cached by node address: every
// tree whose nodes are passed in must outlive the FlowSql (a freed tree's addresses could be
// reused by another one). Counts (count()) are cached by query text for the FlowSql's lifetime:
// use one FlowSql only while the data it measures does not change.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "lineage/model_shape.h"

namespace baliza::lineage {

class FlowSql {
 public:
  explicit FlowSql(Connection& conn) : conn_(conn) {}

  // "WITH a AS (...), b AS (...) " for the CTEs `flow` sees ("" when none).
  std::string with_clause(const Flow& flow);
  // A FROM item as SQL ("t AS x INNER JOIN u ON ...").
  std::string from_item(const TableRef& table);
  // A FROM item's JSON (a TableRef's, possibly edited) as SQL; not cached.
  std::string from_json(const nlohmann::json& from_table);
  // An expression as SQL.
  std::string expr(const Expr& e);
  // The flow's rows as one standalone SELECT (WITH included). kRelation: SELECT * FROM it.
  std::string query(const Flow& flow);
  // A relation, quoted: "schema"."table".
  static std::string relation(const RelationName& name);

  Connection& connection() { return conn_; }

  // The value of the counting query `sql`: measure() once, then the remembered value.
  template <typename Measure>
  std::int64_t count(const std::string& sql, Measure&& measure) {
    auto it = counts_.find(sql);
    if (it != counts_.end()) return it->second;
    std::int64_t n = measure();
    counts_.emplace(sql, n);
    return n;
  }

 private:
  std::string cte_sql(const Cte& cte);
  Connection& conn_;
  std::unordered_map<const void*, std::string> cache_;
  std::unordered_map<std::string, std::int64_t> counts_;
};

}  // namespace baliza::lineage
