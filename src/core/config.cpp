#include "core/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iterator>

#include "core/error.h"
#include "core/upward_search.h"

namespace baliza {
namespace {

std::string where(const std::filesystem::path& file, const YAML::Mark& mark) {
  return file.string() + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

int read_int(const YAML::Node& node, const std::filesystem::path& file, const char* key, int lo,
             int hi) {
  try {
    int value = node.as<int>();
    if (value >= lo && value <= hi) return value;
  } catch (const YAML::Exception&) {
    // fall through to the error below
  }
  throw usage_error(std::string(key) + " at " + where(file, node.Mark()) +
                    " must be a whole number from " + std::to_string(lo) + " to " +
                    std::to_string(hi));
}

// A DuckDB memory size such as 4GB or 512MiB; `where` names the file:line or variable.
std::string checked_memory_limit(const std::string& value, const std::string& where) {
  // digits [. digits] [blanks] unit, the unit one of B KB MB GB TB KiB MiB GiB TiB (any case)
  size_t i = 0, n = value.size();
  auto digits = [&] {
    size_t start = i;
    while (i < n && std::isdigit(static_cast<unsigned char>(value[i]))) ++i;
    return i > start;
  };
  bool ok = digits();
  if (ok && i < n && value[i] == '.') {
    ++i;
    ok = digits();
  }
  while (i < n && value[i] == ' ') ++i;
  std::string unit;
  for (; i < n; ++i) unit += static_cast<char>(std::toupper(static_cast<unsigned char>(value[i])));
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB", "KIB", "MIB", "GIB", "TIB"};
  ok = ok && std::find(std::begin(kUnits), std::end(kUnits), unit) != std::end(kUnits);
  if (!ok) {
    throw usage_error("memory_limit '" + value + "' at " + where +
                      " is not a size; write it like 4GB, 512MB or 2GiB");
  }
  return value;
}

void apply_file(Settings& s, const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::ParserException& e) {
    throw usage_error("YAML error in " + where(file, e.mark) + ": " + e.msg +
                      " (fix the syntax; check indentation and quotes)");
  } catch (const YAML::BadFile&) {
    throw usage_error("cannot read " + file.string());
  }
  s.config_file = file;
  s.project_dir = file.parent_path();
  s.db_path = (file.parent_path() / "data" / "baliza.duckdb").string();
  if (!root || root.IsNull()) return;
  if (!root.IsMap()) {
    throw usage_error(file.string() +
                      ":1:1: baliza.yml must be a mapping of keys (name, database, ...)");
  }
  if (auto db = root["database"]) {
    if (!db.IsScalar() || db.as<std::string>().empty()) {
      throw usage_error("database at " + where(file, db.Mark()) +
                        " must be a file path such as data/baliza.duckdb");
    }
    std::filesystem::path path = db.as<std::string>();
    s.db_path = path.is_absolute() ? path.string() : (file.parent_path() / path).string();
    s.db_source = where(file, db.Mark());
  }
  if (auto raw = root["raw_store"]) {
    if (!raw.IsMap()) {
      throw usage_error("raw_store at " + where(file, raw.Mark()) +
                        " must be a mapping (zstd_level, max_payload_mb)");
    }
    for (const auto& item : raw) {
      auto key = item.first.as<std::string>();
      if (key == "zstd_level") {
        s.zstd_level = read_int(item.second, file, "raw_store.zstd_level", 1, 19);
      } else if (key == "max_payload_mb") {
        s.max_payload_bytes =
            size_t(read_int(item.second, file, "raw_store.max_payload_mb", 1, 4096)) << 20;
      } else {
        throw usage_error("unknown key raw_store." + key + " at " + where(file, item.first.Mark()) +
                          "; known keys: zstd_level, max_payload_mb");
      }
    }
  }
  if (auto coordinator = root["coordinator"]) {
    if (!coordinator.IsScalar() || coordinator.as<std::string>().empty()) {
      throw usage_error("coordinator at " + where(file, coordinator.Mark()) +
                        " must be a PostgreSQL URL such as postgresql://baliza@db:5432/baliza");
    }
    s.coordinator_url = coordinator.as<std::string>();
    s.coordinator_source = where(file, coordinator.Mark());
  }
  if (auto ck = root["checkpoints"]) {
    if (!ck.IsMap()) {
      throw usage_error("checkpoints at " + where(file, ck.Mark()) +
                        " must be a mapping (dir, keep, max_age_days, automatic)");
    }
    for (const auto& item : ck) {
      auto key = item.first.as<std::string>();
      if (key == "dir") {
        std::filesystem::path dir = item.second.as<std::string>("");
        if (dir.empty()) {
          throw usage_error("checkpoints.dir at " + where(file, item.second.Mark()) +
                            " must be a folder path");
        }
        s.checkpoint_dir = dir.is_absolute() ? dir.string() : (file.parent_path() / dir).string();
      } else if (key == "keep") {
        s.checkpoint_keep = read_int(item.second, file, "checkpoints.keep", 0, 100000);
      } else if (key == "max_age_days") {
        s.checkpoint_max_age_days =
            read_int(item.second, file, "checkpoints.max_age_days", 0, 100000);
      } else if (key == "automatic") {
        try {
          s.checkpoint_automatic = item.second.as<bool>();
        } catch (const YAML::Exception&) {
          throw usage_error("checkpoints.automatic at " + where(file, item.second.Mark()) +
                            " must be true or false");
        }
      } else {
        throw usage_error("unknown key checkpoints." + key + " at " +
                          where(file, item.first.Mark()) +
                          "; known keys: dir, keep, max_age_days, automatic");
      }
    }
  }
  if (auto duck = root["duckdb"]) {
    if (!duck.IsMap()) {
      throw usage_error("duckdb at " + where(file, duck.Mark()) +
                        " must be a mapping (memory_limit, threads)");
    }
    for (const auto& item : duck) {
      auto key = item.first.as<std::string>();
      std::string at = where(file, item.second.Mark());
      if (key == "memory_limit") {
        s.memory_limit = checked_memory_limit(item.second.as<std::string>(""), at);
      } else if (key == "threads") {
        s.threads = std::to_string(read_int(item.second, file, "duckdb.threads", 1, 256));
      } else {
        throw usage_error("unknown key duckdb." + key + " at " + where(file, item.first.Mark()) +
                          "; known keys: memory_limit, threads");
      }
    }
  }
}

}  // namespace

std::optional<std::filesystem::path> find_config_file(const std::filesystem::path& start) {
  std::error_code ec;
  for (const std::filesystem::path& dir : upward_dirs(start)) {
    auto candidate = dir / "baliza.yml";
    if (std::filesystem::exists(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

Settings resolve_settings(const std::optional<std::string>& db_flag,
                          const std::optional<std::filesystem::path>& config_file) {
  Settings s;
  s.project_dir = std::filesystem::current_path();
  if (config_file) {
    apply_file(s, *config_file);
    // Keep paths readable when the file is in the current directory.
    std::error_code ec;
    auto rel = std::filesystem::relative(s.db_path, std::filesystem::current_path(), ec);
    if (!ec && !rel.empty() && rel.string().rfind("..", 0) != 0) s.db_path = rel.string();
  }
  if (const char* env = std::getenv("BALIZA_DB"); env && *env) {
    s.db_path = env;
    s.db_source = "BALIZA_DB";
  }
  if (db_flag) {
    s.db_path = *db_flag;
    s.db_source = "--db";
  }
  if (const char* env = std::getenv("BALIZA_COORDINATOR_URL"); env && *env) {
    s.coordinator_url = env;
    s.coordinator_source = "BALIZA_COORDINATOR_URL";
  }
  if (const char* env = std::getenv("BALIZA_MEMORY_LIMIT"); env && *env) {
    s.memory_limit = checked_memory_limit(env, "BALIZA_MEMORY_LIMIT");
  }
  if (const char* env = std::getenv("BALIZA_THREADS"); env && *env) {
    char* end = nullptr;
    long n = std::strtol(env, &end, 10);
    if (*end != '\0' || n < 1 || n > 256) {
      throw usage_error(std::string("BALIZA_THREADS='") + env +
                        "' must be a whole number from 1 to 256");
    }
    s.threads = std::to_string(n);
  }
  return s;
}

}  // namespace baliza
