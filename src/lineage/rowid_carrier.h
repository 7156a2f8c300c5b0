// Rowid carrier: a UNION of queries rewritten so that every row it produces carries the rowid of
// the base-relation row it came from, so that trace and impact can follow rows through unions
// (a mart that aggregates a UNION ALL CTE of several staging models, a model that is a union).
//
// carry_rowids(setop) gives a standalone query (its CTEs are the caller's: put it after
// FlowSql::with_clause of the flow that reads it) equal to the set operation as UNION ALL (a
// distinct UNION becomes ALL: every operand row that yields a result row contributes to it) plus
// one BIGINT column per input slot, `__rid_0`, `__rid_1`, ...: the rowid of the row of that
// slot's relation, NULL in the rows of operands that do not read it. One slot per relation; an
// operand that reads a relation twice (a self join) gets a second slot. The slots are appended
// after the operand's own select list, so the union's columns keep their names and positions
// (UNION BY NAME stays BY NAME).
//
// Operands it can carry: SELECTs whose FROM is base relations (one, or joined), with any WHERE,
// unnest, QUALIFY row_number() dedup or ORDER/LIMIT (a rowid column does not change which rows
// they keep). Not carried (reason set): an operand that aggregates or is DISTINCT (a rowid column
// would change its rows), reads a CTE/subquery/table function, a nested set operation of
// another kind, EXCEPT/INTERSECT.
//
// Errors: baliza::Error when DuckDB cannot print the rewritten SQL. Threads: as FlowSql.
#pragma once

#include <string>
#include <vector>

#include "lineage/flow_sql.h"
#include "lineage/model_shape.h"

namespace baliza::lineage {

struct CarriedInput {
  RelationName relation;
  std::string column;  // __rid_<k>: the slot's rowid column in the carrier's output
};

struct RowidCarrier {
  std::string sql;  // the rewritten union (no WITH of its own visible CTEs)
  std::vector<CarriedInput> inputs;
  std::string reason;  // non-empty: the union cannot be carried, and why
  bool ok() const { return reason.empty(); }
};

RowidCarrier carry_rowids(FlowSql& sql, const Flow& setop);

}  // namespace baliza::lineage
