// Rollback: what restoring a checkpoint (ops/checkpoint.h) would change, and the restore itself.
//
// plan_restore compares the database `db` is connected to with the checkpoint (attached
// read-only, detached before it returns): relations the rollback brings back, relations it
// removes, tables whose exact row counts differ, views whose definition differs. Same row
// count is not proof of same contents; the report says "same row count", never "unchanged".
//
// restore_checkpoint never leaves a half-restored file: it copies the checkpoint to a temporary
// file next to the database (<db>.restore.tmp, same filesystem), checks its size, has the
// caller close the database (close_database), takes the file's write lock itself (fcntl, as
// DuckDB does) so no other process can open it during the swap, and renames the copy over the
// database (atomic). Any failure before the rename (disk full, a read-only folder, a process
// that grabbed the file in between, the test hook before_swap) removes the temporary file and
// leaves the database exactly as it was. A process killed mid-copy leaves only <db>.restore.tmp,
// removed by the next restore.
//
// Threads: the caller's thread; no other connection of the process may use the database once
// close_database is called. Errors: baliza::Error; another holder is a LockConflict (exit 3)
// naming its PID and command line.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "db/database.h"
#include "ops/checkpoint.h"

namespace baliza::ops {

struct RelationChange {
  std::string relation;    // schema.name
  std::string kind;        // "table" or "view" (in the checkpoint when restored, else now)
  std::string change;      // "restored", "removed", "rows", "definition", "kind"
  int64_t rows_now = -1;   // tables only; -1 for a view or a relation absent now
  int64_t rows_then = -1;  // in the checkpoint; -1 for a view or a relation absent then
};

struct RestorePlan {
  CheckpointInfo checkpoint;
  std::vector<RelationChange> changes;
  int64_t same = 0;  // relations present on both sides with equal row counts
  bool empty() const { return changes.empty(); }
};

RestorePlan plan_restore(Connection& db, const CheckpointInfo& checkpoint);

// The plan for people: one line per change, then the number of relations with the same count.
std::string describe_restore(const RestorePlan& plan);

struct RestoreOptions {
  std::function<void()> before_swap;  // tests: throw here to simulate a crash before the swap
};

void restore_checkpoint(const CheckpointInfo& checkpoint, const std::string& database_path,
                        const std::function<void()>& close_database,
                        const RestoreOptions& options = {});

}  // namespace baliza::ops
