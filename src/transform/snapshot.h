// Snapshots (dbt's type-2 slowly changing dimensions): each run compares the snapshot's SELECT
// with the current versions in its table and, in one transaction, closes the versions that
// changed (dbt_valid_to = the change time) and inserts new versions, with dbt's columns:
//
//   dbt_scd_id      md5(unique_key || '|' || dbt_updated_at): one id per version
//   dbt_updated_at  the source's updated_at (timestamp strategy) or the run time (check)
//   dbt_valid_from  when this version became current; dbt_valid_to NULL while it is current
//
// Strategies: timestamp (a row changed when its `updated_at` is newer than the current
// version's) and check (`check_cols`: a list, or 'all', compared with IS DISTINCT FROM).
// `unique_key` is a column, an expression or a list. With invalidate_hard_deletes (or
// hard_deletes: invalidate) current versions whose key left the source are closed at the run
// time. The first run creates the table from the SELECT. Config errors are usage errors naming
// the snapshot; SQL errors are baliza::Error with DuckDB's message.
#pragma once

#include <string>
#include <vector>

#include "transform/materialize.h"
#include "transform/node.h"

namespace baliza::transform {

struct SnapshotSpec {
  std::string strategy;                 // timestamp | check
  std::vector<std::string> unique_key;  // columns or expressions
  std::string updated_at;               // timestamp strategy
  std::vector<std::string> check_cols;  // check strategy; empty with check_all
  bool check_all = false;
  bool invalidate_hard_deletes = false;
};

// Reads the snapshot's config. Throws usage_error for a missing or wrong key.
SnapshotSpec snapshot_spec(const Node& snapshot);

MaterializeResult build_snapshot(Connection& conn, const std::string& schema,
                                 const std::string& name, const std::string& sql,
                                 const SnapshotSpec& spec, RelationCatalog* catalog = nullptr);

}  // namespace baliza::transform
