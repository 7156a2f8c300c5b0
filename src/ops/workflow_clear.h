// The `clear` step of a workflow: the relations (tables and views) of the database whose name
// matches one of the step's patterns, and dropping exactly those.
//
// A pattern is a glob ('*', '?') over the relation name ("stg_*", matched in every schema) or
// over schema and name ("staging.*", "main.fct_?"), case-insensitive as DuckDB identifiers
// are. Only relations of the database's own catalog are considered (never an attached one,
// never DuckDB's internal ones), and Baliza's own schemas (protected_schemas()) are never
// touched, whatever the pattern says. Dropping happens in one transaction: all or nothing.
// Not thread-safe per connection.
#pragma once

#include <string>
#include <vector>

#include "db/database.h"

namespace baliza::ops {

struct RelationRef {
  std::string schema;
  std::string name;
  bool is_view = false;
  std::string label() const { return schema + "." + name; }
};

// meta, lineage, raw, planning, runtime: state Baliza keeps about the pipeline.
const std::vector<std::string>& protected_schemas();

// The relations matching any pattern, sorted by schema and name.
std::vector<RelationRef> matching_relations(Connection& conn,
                                            const std::vector<std::string>& patterns);

// Drops `relations` (views first) in one transaction.
void drop_relations(Connection& conn, const std::vector<RelationRef>& relations);

}  // namespace baliza::ops
