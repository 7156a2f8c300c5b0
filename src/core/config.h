// Baliza's own settings: which database file, raw store tuning, DuckDB limits, checkpoints,
// notifications. Each comes from, in order of precedence: the command line (--db, --set
// section.key=value) > the environment (BALIZA_<SECTION>__<KEY>, and the older BALIZA_DB,
// BALIZA_COORDINATOR_URL, BALIZA_MEMORY_LIMIT, BALIZA_THREADS) > baliza.yml > defaults; the
// keys, types and the rule are in core/setting_specs.h. An empty --set value or rule variable
// clears a setting back to its default (source "default (cleared by --set)"). Settings::values says
// where each effective value came from (`baliza config`). baliza.yml is found in the current
// directory or the nearest parent (it is also the project file of the transformation engine, whose
// keys are validated there).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace baliza {

// One effective setting and where it came from.
struct SettingValue {
  std::string key;                 // "duckdb.threads"
  std::string value;               // "" when unset; a list joined with ", "
  std::vector<std::string> items;  // the list of a list setting
  // "default", "<file>:<line>:<column>", "env BALIZA_DUCKDB__THREADS", "--set", "--db", or
  // "default (cleared by --set)" / "default (cleared by env NAME)" for an empty override
  std::string source = "default";
};

struct Settings {
  std::string db_path = "data/baliza.duckdb";
  std::string db_source = "default";  // "--db", "BALIZA_DB", "<file>:<line>" or "default"
  std::optional<std::filesystem::path> config_file;  // baliza.yml in use, if any
  std::filesystem::path project_dir;  // folder of baliza.yml, else the current directory
  int zstd_level = 5;
  size_t max_payload_bytes = size_t{256} << 20;
  // DuckDB's own limits (baliza.yml `duckdb:`; BALIZA_MEMORY_LIMIT / BALIZA_THREADS win):
  // empty = DuckDB's defaults (80% of RAM, one thread per core).
  std::string memory_limit;  // e.g. "4GB"
  std::string threads;       // e.g. "2"
  // The extraction coordinator (PostgreSQL; coord/), baliza.yml `coordinator:` or
  // BALIZA_COORDINATOR_URL (wins); empty = extract into the local DuckDB file only.
  std::string coordinator_url;
  std::string coordinator_source;  // "BALIZA_COORDINATOR_URL" or "<file>:<line>"
  // Checkpoints (ops/checkpoint.h), baliza.yml `checkpoints:`.
  std::string checkpoint_dir;        // empty: <database file>.checkpoints next to it
  int checkpoint_keep = 5;           // prune all but the newest N (0: no count limit)
  int checkpoint_max_age_days = 14;  // prune older ones (0: no age limit)
  bool checkpoint_automatic = true;  // before reset, --full-refresh, a workflow's clear
  // Notifications (ops/notify.h), baliza.yml `notifications:`.
  std::vector<std::string> notify_webhooks;
  std::string notify_format = "auto";  // auto | slack | discord | json
  std::string notify_on = "failure";   // failure | warnings | always
  double notify_timeout_seconds = 5;
  int extract_concurrency = 0;  // extract.concurrency; 0: the command's own default
  // Every setting of core/setting_specs.h, in its order, with its source.
  std::vector<SettingValue> values;
  // The effective value of `key` (a key of core/setting_specs.h; std::logic_error otherwise).
  const SettingValue& value(const std::string& key) const;
};

// Where settings' variables come from: a lookup, and the names present (for the warning about
// BALIZA_ variables that look like a misspelt setting). process_environment() reads environ.
struct Environment {
  std::function<const char*(const char*)> get;
  std::vector<std::string> names;
};
Environment process_environment();

// The global --set flags of this process ("section.key=value"), applied by every
// resolve_settings call after the environment. Set once, by main, before any command runs.
void set_command_line_overrides(std::vector<std::string> overrides);

// Finds baliza.yml from start upwards (core/upward_search.h: stops at
// BALIZA_CEILING_DIRECTORIES); nullopt when there is none.
std::optional<std::filesystem::path> find_config_file(const std::filesystem::path& start);

// Resolves the settings. A YAML syntax error or a bad value throws a usage error (exit 2) with
// file:line:column, the variable's name or --set, and the expected type; so does an unknown key
// in baliza.yml's Baliza sections, in a BALIZA_*__* variable or in --set (naming the closest
// key). A BALIZA_ variable that is no setting's but looks like one (BALIZA_DUCKDB_THREADS,
// BALIZA_CHECKPOINT__KEEP) is ignored with a warning naming the closest setting (once per
// process). A relative path in baliza.yml is relative to its folder.
Settings resolve_settings(const std::optional<std::string>& db_flag,
                          const std::optional<std::filesystem::path>& config_file);
// The same with another environment (tests, callers with their own lookup).
Settings resolve_settings(const std::optional<std::string>& db_flag,
                          const std::optional<std::filesystem::path>& config_file,
                          const Environment& env);

}  // namespace baliza
