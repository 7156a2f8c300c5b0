#include "core/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/error.h"
#include "core/log.h"
#include "core/setting_specs.h"
#include "core/upward_search.h"

extern char** environ;

namespace baliza {
namespace {

std::vector<std::string>& command_line_overrides() {
  static std::vector<std::string> overrides;
  return overrides;
}

std::string where(const std::filesystem::path& file, const YAML::Mark& mark) {
  return file.string() + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

// A value as found, before it is checked: its text (or list items) and where it came from.
struct Raw {
  std::string text;
  std::vector<std::string> items;
  bool is_list = false;
  std::string source;  // "default", "<file>:<line>:<col>", "env NAME", "--set", "--db"
  std::string where;   // for messages: "<file>:<line>:<col>", "NAME", "--set"
  bool from_file = false;
  // An empty --set value or rule variable: the setting takes its default, whatever a lower
  // layer (baliza.yml, an older variable) said.
  bool cleared = false;
};
using RawValues = std::map<std::string, Raw>;

YAML::Node load_yaml(const std::filesystem::path& file) {
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::ParserException& e) {
    throw usage_error("YAML error in " + where(file, e.mark) + ": " + e.msg +
                      " (fix the syntax; check indentation and quotes)");
  } catch (const YAML::BadFile&) {
    throw usage_error("cannot read " + file.string());
  }
}

Raw from_node(const SettingSpec& spec, const YAML::Node& node, const std::filesystem::path& file) {
  Raw raw;
  raw.source = raw.where = where(file, node.Mark());
  raw.from_file = true;
  if (spec.type == SettingType::kUrlList && node.IsSequence()) {
    raw.is_list = true;
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        throw usage_error(spec.key + " at " + where(file, item.Mark()) + ": expected " +
                          expected_text(spec));
      }
      raw.items.push_back(item.as<std::string>());
    }
    return raw;
  }
  if (!node.IsScalar()) {
    throw usage_error(spec.key + " at " + raw.where + " is not a single value: expected " +
                      expected_text(spec));
  }
  raw.text = node.as<std::string>();
  return raw;
}

// The entries of `node`, a mapping at `prefix` ("" at the top, "openlineage.transport" below).
void read_section(const std::filesystem::path& file, const YAML::Node& node,
                  const std::string& prefix, RawValues& out) {
  for (const auto& item : node) {
    if (!item.first.IsScalar()) {
      throw usage_error("a key at " + where(file, item.first.Mark()) +
                        (prefix.empty() ? "" : " (in " + prefix + ")") +
                        " is a mapping or a list; keys are plain names: write `key: value`");
    }
    auto name = item.first.as<std::string>();
    std::string full = prefix.empty() ? name : prefix + "." + name;
    if (const SettingSpec* spec = find_setting(full)) {
      out[spec->key] = from_node(*spec, item.second, file);
    } else if (is_setting_section(full)) {
      if (!item.second.IsMap()) {
        throw usage_error(full + " at " + where(file, item.second.Mark()) + " must be a mapping (" +
                          section_keys(full) + ")");
      }
      read_section(file, item.second, full, out);
    } else if (!prefix.empty()) {
      throw usage_error("unknown key " + full + " at " + where(file, item.first.Mark()) +
                        "; did you mean " + closest_setting(full) + "? known keys of " + prefix +
                        ": " + section_keys(prefix));
    }
    // Any other top-level key belongs to the project (transform/project_settings.cpp checks it).
  }
}

void read_file(const std::filesystem::path& file, RawValues& out) {
  YAML::Node root = load_yaml(file);
  if (!root || root.IsNull()) return;
  if (!root.IsMap()) {
    throw usage_error(file.string() +
                      ":1:1: baliza.yml must be a mapping of keys (name, database, ...)");
  }
  read_section(file, root, "", out);
}

Raw from_text(const std::string& text, const std::string& source, const std::string& where) {
  Raw raw;
  raw.text = text;
  raw.source = source;
  raw.where = where;
  return raw;
}

// A value of --set or of the rule's variable: empty clears the setting (back to its default).
Raw override_text(const std::string& text, const std::string& source, const std::string& where) {
  Raw raw = from_text(text, source, where);
  raw.cleared = text.empty();
  return raw;
}

// Variables Baliza reads that are not settings (library paths, the upward search's ceiling).
bool is_other_variable(const std::string& name) {
  static const char* kOthers[] = {"BALIZA_CEILING_DIRECTORIES", "BALIZA_CURL_LIB",
                                  "BALIZA_DUCKDB_LIB", "BALIZA_LIBPQ_LIB"};
  for (const char* other : kOthers) {
    if (name == other) return true;
  }
  return false;
}

std::string without_underscores(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != '_') out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

// The setting a BALIZA_ variable that is no setting's seems meant for; nullptr when it does not
// look like one (BALIZA_BIN, BALIZA_SHARED_DIR, ... belong to scripts and tests).
const SettingSpec* meant_setting(const std::string& name) {
  std::string key = setting_key_of_env(name);
  if (!key.empty()) return find_setting(closest_setting(key));
  // BALIZA_DUCKDB_THREADS for BALIZA_DUCKDB__THREADS: the same letters, or one edit away.
  std::string letters = without_underscores(name);
  for (const SettingSpec& spec : setting_specs()) {
    std::string env = setting_env_name(spec);
    if (env.empty()) continue;
    std::string target = without_underscores(env);
    if (letters == target || (letters.size() > 10 && setting_name_distance(letters, target) <= 1)) {
      return &spec;
    }
  }
  return nullptr;
}

void warn_once(const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> said;
  std::lock_guard lock(mutex);
  if (said.insert(message).second) log_warn(message);
}

void read_environment(RawValues& out, const Environment& env) {
  for (const SettingSpec& spec : setting_specs()) {
    // The first older variable set wins among them; the rule's variable wins over all of them.
    for (auto it = spec.legacy_env.rbegin(); it != spec.legacy_env.rend(); ++it) {
      if (const char* v = env.get(it->c_str()); v && *v) {
        out[spec.key] = from_text(v, "env " + *it, *it);
      }
    }
  }
  // The rule's variable (for a top-level key its first legacy one, BALIZA_DB): set but empty,
  // it clears the setting, as `--set key=` does; an empty older alias stays "not set", as the
  // OpenLineage clients read their own variables.
  for (const SettingSpec& spec : setting_specs()) {
    std::string name = setting_env_name(spec);
    if (name.empty()) continue;
    if (const char* v = env.get(name.c_str()))
      out[spec.key] = override_text(v, "env " + name, name);
  }
  for (const std::string& name : env.names) {
    if (name.rfind("BALIZA_", 0) != 0 || is_setting_variable(name) || is_other_variable(name)) {
      continue;
    }
    if (const SettingSpec* near = meant_setting(name)) {
      warn_once("unknown setting variable " + name + " is ignored; did you mean " +
                setting_env_name(*near) + " (" + near->key +
                ")? Variables BALIZA_<SECTION>__<KEY> set baliza.yml's keys; `baliza config` "
                "lists them");
    }
  }
}

void read_overrides(RawValues& out) {
  for (const std::string& entry : command_line_overrides()) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw usage_error("--set '" + entry +
                        "' must be section.key=value, e.g. --set "
                        "duckdb.threads=2");
    }
    std::string key = entry.substr(0, eq);
    const SettingSpec* spec = find_setting(key);
    if (!spec) {
      throw usage_error("unknown setting --set " + key + "; did you mean " + closest_setting(key) +
                        "? (`baliza config` lists them)");
    }
    out[spec->key] = override_text(entry.substr(eq + 1), "--set", "--set " + key);
  }
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  for (char c : text + " ") {
    if (c == ' ' || c == ',' || c == '\t' || c == '\n') {
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  return items;
}

int as_int(const std::string& text) {
  return text.empty() ? 0 : std::atoi(text.c_str());
}

// Checks every value and fills the typed fields of s.
void apply(Settings& s, const RawValues& raw, const std::optional<std::filesystem::path>& file) {
  std::filesystem::path base = file ? file->parent_path() : std::filesystem::path();
  for (const SettingSpec& spec : setting_specs()) {
    SettingValue v;
    v.key = spec.key;
    v.value = spec.default_text;
    auto it = raw.find(spec.key);
    if (it != raw.end() && it->second.cleared) {
      v.source = "default (cleared by " + it->second.source + ")";
      it = raw.end();
    }
    if (it != raw.end()) {
      const Raw& r = it->second;
      v.source = r.source;
      if (spec.type == SettingType::kUrlList) {
        std::vector<std::string> items = r.is_list ? r.items : split_list(r.text);
        for (const std::string& item : items) v.items.push_back(check_setting(spec, item, r.where));
        v.value.clear();
        for (const std::string& item : v.items) v.value += (v.value.empty() ? "" : ", ") + item;
      } else {
        v.value = check_setting(spec, r.text, r.where);
        if (spec.type == SettingType::kPath && r.from_file) {
          std::filesystem::path p = v.value;
          if (!p.is_absolute()) v.value = (base / p).string();
        }
      }
    } else if (spec.key == "database" && file) {
      v.value = (base / spec.default_text).string();
    }
    s.values.push_back(v);
  }
  auto value = [&](const char* key) -> const SettingValue& { return s.value(key); };
  // "BALIZA_DB" for "env BALIZA_DB", "default" for a cleared one too.
  auto short_source = [](const std::string& source) {
    if (source.rfind("env ", 0) == 0) return source.substr(4);
    if (source.rfind("default", 0) == 0) return std::string("default");
    return source;
  };
  const SettingValue& db = value("database");
  s.db_path = db.value;
  s.db_source = short_source(db.source);
  const SettingValue& coord = value("coordinator");
  s.coordinator_url = coord.value;
  s.coordinator_source = short_source(coord.source);
  s.zstd_level = as_int(value("raw_store.zstd_level").value);
  s.max_payload_bytes = size_t(as_int(value("raw_store.max_payload_mb").value)) << 20;
  s.memory_limit = value("duckdb.memory_limit").value;
  s.threads = value("duckdb.threads").value;
  s.extract_concurrency = as_int(value("extract.concurrency").value);
  s.checkpoint_dir = value("checkpoints.dir").value;
  s.checkpoint_keep = as_int(value("checkpoints.keep").value);
  s.checkpoint_max_age_days = as_int(value("checkpoints.max_age_days").value);
  s.checkpoint_automatic = value("checkpoints.automatic").value == "true";
  s.notify_webhooks = value("notifications.webhook").items;
  s.notify_format = value("notifications.format").value;
  s.notify_on = value("notifications.on").value;
  s.notify_timeout_seconds = std::atof(value("notifications.timeout").value.c_str());
}

}  // namespace

const SettingValue& Settings::value(const std::string& key) const {
  for (const SettingValue& v : values) {
    if (v.key == key) return v;
  }
  throw std::logic_error("no setting " + key);
}

Environment process_environment() {
  Environment env;
  env.get = [](const char* name) -> const char* { return std::getenv(name); };
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    env.names.push_back(entry.substr(0, entry.find('=')));
  }
  return env;
}

void set_command_line_overrides(std::vector<std::string> overrides) {
  command_line_overrides() = std::move(overrides);
}

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
  return resolve_settings(db_flag, config_file, process_environment());
}

Settings resolve_settings(const std::optional<std::string>& db_flag,
                          const std::optional<std::filesystem::path>& config_file,
                          const Environment& env) {
  Settings s;
  s.project_dir = std::filesystem::current_path();
  RawValues raw;
  if (config_file) {
    read_file(*config_file, raw);
    s.config_file = config_file;
    s.project_dir = config_file->parent_path();
  }
  read_environment(raw, env);
  read_overrides(raw);
  if (db_flag) raw["database"] = from_text(*db_flag, "--db", "--db");
  apply(s, raw, config_file);
  bool from_file_or_default =
      s.db_source != "--db" && s.db_source != "BALIZA_DB" && s.db_source != "--set";
  if (config_file && from_file_or_default) {
    // Keep paths readable when the file is in the current directory.
    std::error_code ec;
    auto rel = std::filesystem::relative(s.db_path, std::filesystem::current_path(), ec);
    if (!ec && !rel.empty() && rel.string().rfind("..", 0) != 0) s.db_path = rel.string();
  }
  return s;
}

}  // namespace baliza
