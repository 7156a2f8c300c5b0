#include "ops/checkpoint.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/file_copy.h"
#include "core/log.h"

namespace baliza::ops {
namespace fs = std::filesystem;
namespace {

bool all_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

void check_name(const std::string& name) {
  bool ok = name.size() <= 100 && !all_digits(name);
  for (unsigned char c : name) ok = ok && (std::isalnum(c) || c == '.' || c == '_' || c == '-');
  if (!ok) {
    throw usage_error("checkpoint name '" + name +
                      "' must be letters, digits, '.', '_' or '-' (at most 100), and not only "
                      "digits (those are ids); e.g. --name before-2025");
  }
}

// The id a file name starts with ("12.duckdb" -> 12), or 0.
int64_t id_of(const fs::path& file) {
  std::string stem = file.filename().string();
  stem = stem.substr(0, stem.find('.'));
  return all_digits(stem) && stem.size() < 18 ? std::stoll(stem) : 0;
}

int64_t next_id(const fs::path& dir) {
  int64_t last = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    last = std::max(last, id_of(entry.path()));
  return last + 1;
}

std::string utc_text(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// Tables and views of the database `db` is connected to, and the exact rows of its tables
// (count(*): DuckDB's estimated_size still counts deleted rows).
void count_relations(Connection& db, CheckpointInfo& info) {
  Result r = db.query(
      "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = "
      "current_database() AND NOT temporary");
  std::string counts;
  for (size_t i = 0; i < r.row_count(); ++i) {
    counts += std::string(counts.empty() ? "" : " UNION ALL ") + "SELECT count(*) AS n FROM " +
              quote_identifier(r.get_string(0, i)) + "." + quote_identifier(r.get_string(1, i));
  }
  info.rows =
      counts.empty() ? 0 : db.query("SELECT sum(n)::BIGINT FROM (" + counts + ")").get_int64(0, 0);
  info.relations = static_cast<int64_t>(r.row_count()) +
                   std::stoll(db.scalar("SELECT count(*) FROM duckdb_views() WHERE database_name = "
                                        "current_database() AND NOT internal AND NOT temporary")
                                  .value_or("0"));
}

uintmax_t size_or_zero(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

void copy_from_database(Connection& db, const fs::path& target) {
  std::string current = db.scalar("SELECT current_database()").value_or("memory");
  db.execute("ATTACH " + quote_literal(target.string()) + " AS baliza_checkpoint_target");
  try {
    db.execute("COPY FROM DATABASE " + quote_identifier(current) + " TO baliza_checkpoint_target");
    db.execute("DETACH baliza_checkpoint_target");
  } catch (...) {
    try {
      db.execute("DETACH baliza_checkpoint_target");
    } catch (...) {
    }
    throw;
  }
}

nlohmann::json to_json(const CheckpointInfo& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"reason", c.reason},
          {"created_at", c.created_at},
          {"created_unix", c.created_unix},
          {"database", c.database},
          {"size_bytes", c.size_bytes},
          {"relations", c.relations},
          {"rows", c.rows},
          {"method", c.method},
          {"seconds", c.seconds}};
}

std::optional<CheckpointInfo> read_sidecar(const fs::path& json_file) {
  std::ifstream in(json_file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  CheckpointInfo c;
  c.id = j.value("id", int64_t{0});
  c.name = j.value("name", "");
  c.reason = j.value("reason", "");
  c.created_at = j.value("created_at", "");
  c.created_unix = j.value("created_unix", int64_t{0});
  c.database = j.value("database", "");
  c.size_bytes = j.value("size_bytes", uintmax_t{0});
  c.relations = j.value("relations", int64_t{0});
  c.rows = j.value("rows", int64_t{0});
  c.method = j.value("method", "");
  c.seconds = j.value("seconds", 0.0);
  c.file = json_file.parent_path() / (std::to_string(c.id) + ".duckdb");
  if (c.id != id_of(json_file) || !fs::exists(c.file)) return std::nullopt;
  return c;
}

void remove_checkpoint_files(const fs::path& dir, int64_t id) {
  std::error_code ec;
  // The sidecar first: without it the checkpoint is no longer listed, whatever happens next.
  fs::remove(dir / (std::to_string(id) + ".json"), ec);
  fs::remove(dir / (std::to_string(id) + ".duckdb"), ec);
  fs::remove(dir / (std::to_string(id) + ".duckdb.wal"), ec);
}

}  // namespace

CheckpointPolicy checkpoint_policy(const Settings& s) {
  CheckpointPolicy p;
  p.dir = s.checkpoint_dir;
  p.keep = s.checkpoint_keep;
  p.max_age_days = s.checkpoint_max_age_days;
  p.automatic = s.checkpoint_automatic;
  return p;
}

fs::path checkpoint_dir(const std::string& database_path, const CheckpointPolicy& policy) {
  if (!policy.dir.empty()) return policy.dir;
  return fs::path(database_path + ".checkpoints");
}

CheckpointInfo create_checkpoint(Connection& db, const CheckpointPolicy& policy,
                                 const std::string& name, const std::string& reason) {
  const std::string& db_path = db.database().path();
  if (db_path == ":memory:" || db_path.empty()) {
    throw usage_error("an in-memory database has no file to checkpoint; use --db FILE");
  }
  if (!name.empty()) check_name(name);
  auto started = std::chrono::steady_clock::now();
  fs::path dir = checkpoint_dir(db_path, policy);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw environment_error("cannot create the checkpoint folder " + dir.string() + ": " +
                            ec.message());

  CheckpointInfo info;
  info.id = next_id(dir);
  info.name = name;
  info.reason = reason.empty() ? "manual" : reason;
  info.database = fs::absolute(db_path).lexically_normal().string();
  info.created_unix = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  info.created_at = utc_text(info.created_unix);
  info.file = dir / (std::to_string(info.id) + ".duckdb");
  count_relations(db, info);

  fs::path partial = info.file.string() + ".partial";
  fs::remove(partial, ec);
  bool folded = true;
  try {
    db.execute("CHECKPOINT");
  } catch (const Error&) {
    folded = false;  // another connection of this process has a write transaction open
  }
  if (folded && size_or_zero(db_path + ".wal") == 0) {
    copy_file_durably(db_path, partial);
    info.method = "file copy";
  } else {
    // Another transaction of this process is open or kept changes in the log: the file alone
    // is not the committed database. DuckDB's own copy reads a consistent snapshot.
    copy_from_database(db, partial);
    info.method = "copy from database";
  }
  replace_file(partial, info.file);
  info.size_bytes = size_or_zero(info.file);
  info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  fs::path sidecar = dir / (std::to_string(info.id) + ".json");
  fs::path tmp = sidecar.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << to_json(info).dump(2) << "\n";
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      fs::remove(info.file, ec);
      throw environment_error("cannot write " + tmp.string() + " (disk full?)");
    }
  }
  replace_file(tmp, sidecar);
  return info;
}

std::optional<CheckpointInfo> checkpoint_before(Connection& db, const CheckpointPolicy& policy,
                                                const std::string& reason) {
  const std::string& db_path = db.database().path();
  if (!policy.automatic || db_path == ":memory:" || db_path.empty()) return std::nullopt;
  CheckpointInfo info = create_checkpoint(db, policy, "", reason);
  for (const CheckpointInfo& gone :
       prune_checkpoints(checkpoint_dir(db_path, policy), policy, {info.id})) {
    log_info("pruned checkpoint " + std::to_string(gone.id) + " (" + gone.created_at + ")");
  }
  return info;
}

std::vector<CheckpointInfo> list_checkpoints(const fs::path& dir) {
  std::vector<CheckpointInfo> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& p = entry.path();
    if (p.extension() != ".json" || id_of(p) == 0) continue;
    if (auto c = read_sidecar(p)) {
      c->size_bytes = size_or_zero(c->file);
      out.push_back(std::move(*c));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

CheckpointInfo find_checkpoint(const fs::path& dir, const std::string& id_or_name) {
  auto all = list_checkpoints(dir);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (all_digits(id_or_name) ? std::to_string(it->id) == id_or_name : it->name == id_or_name) {
      return *it;
    }
  }
  std::string known;
  for (const auto& c : all) {
    known += (known.empty() ? "" : ", ") + std::to_string(c.id) +
             (c.name.empty() ? "" : " (" + c.name + ")");
  }
  throw usage_error("no checkpoint '" + id_or_name + "' in " + dir.string() +
                    (known.empty()
                         ? ": there are none (take one with `baliza checkpoint`)"
                         : "; there are: " + known + " (see `baliza checkpoint --list`)"));
}

std::vector<CheckpointInfo> prune_checkpoints(const fs::path& dir, const CheckpointPolicy& policy,
                                              const std::vector<int64_t>& spare) {
  auto all = list_checkpoints(dir);
  std::vector<CheckpointInfo> removed;
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  size_t count = all.size();
  for (size_t i = 0; i < count; ++i) {
    const CheckpointInfo& c = all[i];
    if (std::find(spare.begin(), spare.end(), c.id) != spare.end()) continue;
    bool beyond_count = policy.keep > 0 && count - i > size_t(policy.keep);
    bool too_old =
        policy.max_age_days > 0 && now - c.created_unix > int64_t(policy.max_age_days) * 86400;
    if (beyond_count || too_old) {
      remove_checkpoint_files(dir, c.id);
      removed.push_back(c);
    }
  }
  // Unfinished leftovers of a crash: a copy without its sidecar, a partial copy or sidecar.
  std::error_code ec;
  std::vector<fs::path> leftovers;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& p = entry.path();
    std::string file = p.filename().string();
    bool partial = file.size() > 8 && (file.ends_with(".partial") || file.ends_with(".json.tmp"));
    bool orphan = p.extension() == ".duckdb" && id_of(p) > 0 &&
                  !fs::exists(dir / (std::to_string(id_of(p)) + ".json"));
    if (id_of(p) > 0 && (partial || orphan)) leftovers.push_back(p);
  }
  for (const auto& p : leftovers) fs::remove(p, ec);
  return removed;
}

std::string human_bytes(uintmax_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return buf;
}

std::string human_age(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 7200) return std::to_string(seconds / 60) + " min";
  if (seconds < 2 * 86400) return std::to_string(seconds / 3600) + " h";
  return std::to_string(seconds / 86400) + " d";
}

}  // namespace baliza::ops
