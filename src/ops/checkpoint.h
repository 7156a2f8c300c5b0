// Checkpoints: consistent, named snapshots of the database file, taken before a destructive step
// (`reset`, a `--full-refresh` build, a workflow's `clear`) and on demand (`baliza checkpoint`),
// listed, pruned, and restored by ops/checkpoint_restore.h.
//
// Where they live: <database file>.checkpoints/ next to the file (data/baliza.duckdb ->
// data/baliza.duckdb.checkpoints/), or baliza.yml `checkpoints.dir`. Checkpoint N is two files:
// N.duckdb (a complete DuckDB database) and N.json (id, name, reason, time, size, relations,
// rows). The .json is written last, by rename: a checkpoint without it is unfinished (a crash
// while copying) and is neither listed nor restored; prune removes such leftovers. They live
// outside the database on purpose, so that a rollback (which replaces the file) keeps them all.
//
// How: CHECKPOINT folds DuckDB's write-ahead log into the file; the caller's process holds the
// file's only write lock, so nobody else can change it while it is copied (a reflink where the
// filesystem shares blocks, else copy_file_range; core/file_copy.h). If the log is not empty
// after CHECKPOINT (another transaction of this process is open), the checkpoint is made with
// DuckDB's own ATTACH + COPY FROM DATABASE instead (slower, also consistent). bench/checkpoint.sh
// measures both.
//
// Threads: call from the thread that owns `db`, with no other write in flight in the process
// (Baliza's one-writer rule). Errors: baliza::Error — usage (exit 2) for a bad name or an
// in-memory database, environment (exit 3) for disk/permission problems; a failed checkpoint
// leaves no listed checkpoint behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "db/database.h"

namespace baliza::ops {

struct CheckpointPolicy {
  std::filesystem::path dir;  // empty: <database file>.checkpoints
  int keep = 5;               // prune all but the newest `keep` (0: no count limit)
  int max_age_days = 14;      // prune older ones (0: no age limit)
  bool automatic = true;      // false: checkpoint_before() takes none
};

// The policy baliza.yml `checkpoints:` (and its overrides) describe.
CheckpointPolicy checkpoint_policy(const Settings& settings);

struct CheckpointInfo {
  int64_t id = 0;              // 1, 2, 3, ... increasing in a folder
  std::string name;            // the user's label ("" when none)
  std::string reason;          // "manual", "reset", "full-refresh", "workflow setup: clear", ...
  std::string created_at;      // UTC, "YYYY-MM-DD HH:MM:SS"
  int64_t created_unix = 0;    // seconds since the epoch (for ages)
  std::string database;        // the database file it was taken from
  uintmax_t size_bytes = 0;    // of N.duckdb
  int64_t relations = 0;       // tables and views in it
  int64_t rows = 0;            // rows of its tables
  std::string method;          // "file copy" or "copy from database"
  double seconds = 0;          // how long taking it took
  std::filesystem::path file;  // N.duckdb
};

std::filesystem::path checkpoint_dir(const std::string& database_path,
                                     const CheckpointPolicy& policy);

// Takes a checkpoint of the database `db` is connected to. `name` is optional: letters, digits,
// '.', '_', '-', not only digits (a usage error otherwise). Does not prune.
CheckpointInfo create_checkpoint(Connection& db, const CheckpointPolicy& policy,
                                 const std::string& name, const std::string& reason);

// The checkpoint to take before a destructive step: none when the policy says automatic: false
// or the database is in memory; else create_checkpoint + prune (never pruning the new one).
// A failure throws: the destructive step must not run without its checkpoint.
std::optional<CheckpointInfo> checkpoint_before(Connection& db, const CheckpointPolicy& policy,
                                                const std::string& reason);

// Finished checkpoints in `dir`, oldest first (an absent folder: none).
std::vector<CheckpointInfo> list_checkpoints(const std::filesystem::path& dir);

// By id ("3") or name (the newest with that name); a usage error listing what exists otherwise.
CheckpointInfo find_checkpoint(const std::filesystem::path& dir, const std::string& id_or_name);

// Removes the checkpoints the policy no longer keeps (beyond `keep` newest, or older than
// `max_age_days`), except those in `spare`, and unfinished leftovers. Returns those removed.
std::vector<CheckpointInfo> prune_checkpoints(const std::filesystem::path& dir,
                                              const CheckpointPolicy& policy,
                                              const std::vector<int64_t>& spare = {});

// "12.3 MB", "3 h", for listings.
std::string human_bytes(uintmax_t bytes);
std::string human_age(int64_t seconds);

}  // namespace baliza::ops
