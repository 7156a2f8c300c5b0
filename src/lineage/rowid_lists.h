// Rowid lists: a flow of a model's SQL (model_shape.h) rewritten so that each row it produces
// also carries, per base relation read under it (a "slot"), a BIGINT[] with the rowids of that
// relation's rows behind the row. A relation read contributes [rowid]; selects, joins and
// row_number() dedups carry the lists; an aggregate concatenates them (flatten(list(..))): a
// group carries every row of the group; a row with window values gets the lists of every row its
// windows read (an aggregate window: its frame; lag, rank, ...: its whole partition); DISTINCT and
// UNION (distinct) become a GROUP BY that concatenates the same way; UNION ALL aligns every
// operand's lists. The rewritten query has the same rows as the flow (same count, same values
// in its own columns), so it can stand in for the flow wherever the flow is read.
//
// Used by the reverse-join capture at build time (row_capture.h: the model's whole query) and by
// the row links at trace/impact time (row_links.h: the FROM items a carried union or a plain
// rowid cannot follow, e.g. a CTE that aggregates joined to a table, or a union whose operands
// read CTEs over aggregate joins).
//
// Not supported (reason() says which): recursive CTEs and other opaque shapes, EXCEPT/INTERSECT,
// DISTINCT ON, COLUMNS(*) stars, LIMIT inside the query, a window over an aggregate, a FROM item
// with column aliases. Rows read only inside expression subqueries (WHERE x IN (SELECT ..)) are
// not in the lists. Texts keep the original CTEs visible to expression subqueries: run them after
// FlowSql::with_clause of the flow they come from (a whole model's query carries its own WITH).
//
// Errors: baliza::Error when DuckDB cannot parse or print a rewritten piece. Threads: as
// FlowSql (one per connection and thread).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lineage/flow_sql.h"
#include "lineage/model_shape.h"

namespace baliza::lineage {

class RowidLists {
 public:
  explicit RowidLists(FlowSql& sql) : sql_(sql) {}

  // The flow's rows as SQL: its columns plus one BIGINT[] column per slot it reads
  // (slot_column(k)); `mine` gets those slots. nullopt when a shape is not supported (reason()).
  std::optional<std::string> rewrite(const Flow& flow, std::vector<std::size_t>& mine);

  // A select's FROM with every item that is not a base relation (a CTE, a subquery: an
  // aggregate, a union, a chain of selects) replaced by its rewritten query under the same
  // binding; base relations stay as they are (their rows are `binding.rowid`).
  struct ListedFrom {
    std::string from_sql;  // the FROM clause's text (no FROM keyword)
    std::vector<std::pair<std::string, std::vector<std::size_t>>> bindings;  // binding -> slots
  };
  std::optional<ListedFrom> rewrite_from_items(const Flow& select);

  // Slot k's base relation.
  const std::vector<RelationName>& slots() const { return slots_; }
  const std::string& reason() const { return reason_; }
  static std::string slot_column(std::size_t k);

 private:
  struct Impl;
  friend struct Impl;
  FlowSql& sql_;
  std::vector<RelationName> slots_;
  std::string reason_;  // set on the first unsupported shape
  bool keep_relations_ = false;
};

}  // namespace baliza::lineage
