#include "ops/checkpoint_restore.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "core/error.h"
#include "core/file_copy.h"
#include "db/lock_error.h"

namespace baliza::ops {
namespace fs = std::filesystem;
namespace {

const char* kSource = "baliza_rollback_source";

struct Relation {
  std::string kind;
  std::string sql;    // views: their definition
  int64_t rows = -1;  // tables: exact count
};

using Relations = std::map<std::string, Relation>;  // "schema.name" -> relation

// Tables (with exact counts) and views of one attached database.
Relations relations_of(Connection& db, const std::string& database) {
  Relations out;
  std::string lit = quote_literal(database);
  Result r = db.query(
      "SELECT schema_name, table_name, 'table', '' FROM duckdb_tables() WHERE database_name = " +
      lit +
      " AND NOT temporary UNION ALL SELECT schema_name, view_name, 'view', sql FROM "
      "duckdb_views() WHERE database_name = " +
      lit + " AND NOT internal AND NOT temporary");
  std::string counts;
  for (size_t i = 0; i < r.row_count(); ++i) {
    std::string schema = r.get_string(0, i), name = r.get_string(1, i);
    Relation rel{r.get_string(2, i), r.get_string(3, i), -1};
    if (rel.kind == "table") {
      counts += std::string(counts.empty() ? "" : " UNION ALL ") + "SELECT " +
                quote_literal(schema + "." + name) + ", count(*) FROM " +
                quote_identifier(database) + "." + quote_identifier(schema) + "." +
                quote_identifier(name);
    }
    out[schema + "." + name] = std::move(rel);
  }
  if (!counts.empty()) {
    Result c = db.query(counts);
    for (size_t i = 0; i < c.row_count(); ++i) out[c.get_string(0, i)].rows = c.get_int64(1, i);
  }
  return out;
}

class Attached {
 public:
  Attached(Connection& db, const fs::path& file) : db_(db) {
    db_.execute("ATTACH " + quote_literal(file.string()) + " AS " + kSource + " (READ_ONLY)");
  }
  ~Attached() {
    try {
      db_.execute(std::string("DETACH ") + kSource);
    } catch (...) {
    }
  }
  Attached(const Attached&) = delete;
  Attached& operator=(const Attached&) = delete;

 private:
  Connection& db_;
};

std::string count_text(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string rows_text(int64_t n) {
  return count_text(n) + (n == 1 ? " row" : " rows");
}

// Holds the write lock of `path` (as DuckDB takes it) until destroyed; -1 fd when the file is
// absent. Throws a LockConflict naming the holder when another process has it.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) {
      if (errno == ENOENT) return;
      throw environment_error("cannot open " + path + ": " + std::strerror(errno));
    }
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd_, F_SETLK, &fl) == 0) return;
    struct flock who {};
    who.l_type = F_WRLCK;
    who.l_whence = SEEK_SET;
    int pid = ::fcntl(fd_, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? who.l_pid : 0;
    ::close(fd_);
    fd_ = -1;
    auto conflict = lock_conflict_error(
        path, "Could not set lock on file" + (pid > 0 ? " (PID " + std::to_string(pid) + ")" : ""));
    throw *conflict;
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

uintmax_t size_or_zero(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

}  // namespace

RestorePlan plan_restore(Connection& db, const CheckpointInfo& checkpoint) {
  RestorePlan plan;
  plan.checkpoint = checkpoint;
  std::string current = db.scalar("SELECT current_database()").value_or("memory");
  Relations now = relations_of(db, current);
  Relations then;
  {
    Attached source(db, checkpoint.file);
    then = relations_of(db, kSource);
  }
  for (const auto& [name, rel] : then) {
    auto it = now.find(name);
    if (it == now.end()) {
      plan.changes.push_back({name, rel.kind, "restored", -1, rel.rows});
    } else if (it->second.kind != rel.kind) {
      plan.changes.push_back({name, rel.kind, "kind", it->second.rows, rel.rows});
    } else if (rel.kind == "table" && it->second.rows != rel.rows) {
      plan.changes.push_back({name, rel.kind, "rows", it->second.rows, rel.rows});
    } else if (rel.kind == "view" && it->second.sql != rel.sql) {
      plan.changes.push_back({name, rel.kind, "definition", -1, -1});
    } else {
      ++plan.same;
    }
  }
  for (const auto& [name, rel] : now) {
    if (!then.count(name)) plan.changes.push_back({name, rel.kind, "removed", rel.rows, -1});
  }
  return plan;
}

std::string describe_restore(const RestorePlan& plan) {
  const CheckpointInfo& c = plan.checkpoint;
  std::string out = "rollback to checkpoint " + std::to_string(c.id) +
                    (c.name.empty() ? "" : " '" + c.name + "'") + " (" + c.created_at + " UTC, " +
                    c.reason + ", " + human_bytes(c.size_bytes) + "):\n";
  for (const RelationChange& ch : plan.changes) {
    std::string line = "  ";
    if (ch.change == "restored") {
      line += "restores " + ch.kind + " " + ch.relation +
              (ch.rows_then >= 0 ? " (" + rows_text(ch.rows_then) + ")" : "");
    } else if (ch.change == "removed") {
      line += "removes  " + ch.kind + " " + ch.relation +
              (ch.rows_now >= 0 ? " (" + rows_text(ch.rows_now) + ")" : "") +
              ": not in the checkpoint";
    } else if (ch.change == "rows") {
      line += "rows     " + ch.relation + ": " + count_text(ch.rows_now) + " -> " +
              count_text(ch.rows_then);
    } else if (ch.change == "definition") {
      line += "redefines view " + ch.relation + " as it was";
    } else {
      line += "replaces " + ch.relation + " by the " + ch.kind + " it was";
    }
    out += line + "\n";
  }
  if (plan.changes.empty()) out += "  no relation added, removed or with another row count\n";
  out += "  " + std::to_string(plan.same) +
         " relation(s) with the same row count (their "
         "contents are restored too)\n";
  return out;
}

void restore_checkpoint(const CheckpointInfo& checkpoint, const std::string& database_path,
                        const std::function<void()>& close_database,
                        const RestoreOptions& options) {
  fs::path db = database_path;
  fs::path tmp = database_path + ".restore.tmp";
  std::error_code ec;
  fs::remove(tmp, ec);  // a leftover of a restore killed mid-copy
  copy_file_durably(checkpoint.file, tmp);
  auto discard = [&] { fs::remove(tmp, ec); };
  try {
    if (size_or_zero(tmp) != size_or_zero(checkpoint.file)) {
      throw environment_error("the copy of " + checkpoint.file.string() + " in " + tmp.string() +
                              " is incomplete (disk full?); nothing was changed");
    }
    close_database();
    FileLock lock(database_path);  // nobody may open the file between the close and the rename
    fs::path wal = database_path + ".wal";
    if (size_or_zero(wal) > 0) {
      throw environment_error("the database's write-ahead log " + wal.string() +
                              " is not empty after closing it; nothing was changed (open the "
                              "database once, e.g. `baliza doctor`, and try again)");
    }
    if (options.before_swap) options.before_swap();
    fs::remove(wal, ec);  // empty: nothing of the old file to replay onto the restored one
    replace_file(tmp, db);
  } catch (...) {
    discard();
    throw;
  }
}

}  // namespace baliza::ops
