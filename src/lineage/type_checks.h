// Static type checks of a model (`baliza validate`), on its SQL tree and the binder's types,
// for what DuckDB accepts silently but a data team wants to hear about:
//   - UNION / EXCEPT / INTERSECT branches whose columns have types of different kinds (DuckDB
//     unifies INTEGER with VARCHAR into VARCHAR, INTEGER with DATE into DATE);
//   - join keys of different kinds (k.id INTEGER = c.id VARCHAR: a cast on every row);
//   - a comparison that forces a cast on a column (a VARCHAR column compared with a number, or
//     two columns of different kinds in WHERE / ON).
// Kinds: number, text, date/time, boolean, else the type's own name; NULL-typed branches and
// columns whose type cannot be followed (computed values) are not judged.
//
// Branch types come from DuckDB (DESCRIBE of each branch, with the CTEs it can see); column
// types from the catalog of the connection (the validate scratch: every upstream relation with
// its columns), cached per relation for the life of the checker.
//
// Errors: never throws; what cannot be checked is skipped. Threads: one at a time.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "db/database.h"
#include "lineage/model_shape.h"

namespace baliza::lineage {

struct TypeIssue {
  std::size_t location = 0;  // byte offset in the model's compiled SQL (0: unknown)
  std::string message;       // what, and how to fix it
};

class TypeChecker {
 public:
  std::vector<TypeIssue> check(const ModelShape& shape, Connection& conn);
  // Reads every column type of the connection's database in one query (a complete snapshot).
  void preload(Connection& conn);

 private:
  std::optional<std::string> column_type(const RelationName& relation, const std::string& column,
                                         Connection& conn);
  std::map<std::string, std::map<std::string, std::string>> types_;  // relation -> col -> type
  bool complete_ = false;
};

// "number", "text", "datetime", "boolean", "" (NULL: unknown), else the upper-cased type.
std::string type_kind(const std::string& type);

}  // namespace baliza::lineage
