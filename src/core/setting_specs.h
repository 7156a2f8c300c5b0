// The settings of baliza.yml that Baliza itself reads, in one table: key, type, bounds, default
// and help. core/config.cpp reads them from the file, the environment and --set through this
// table; `baliza config` prints it with the effective values. A module that reads a setting
// takes it from core/config.h's Settings (never from baliza.yml or the environment itself), so
// every entry here is overridable and shown with its origin (tests/unit/core/config_test.cpp
// walks this table to prove it).
//
// The override rule: a key `section.key` (any depth: `openlineage.transport.url`) is set by the
// variable BALIZA_<SECTION>__<KEY> (upper case, each dot a double underscore: duckdb.threads ->
// BALIZA_DUCKDB__THREADS, openlineage.transport.url -> BALIZA_OPENLINEAGE__TRANSPORT__URL) and
// by the flag `--set section.key=value`. A list (notifications.webhook) is a YAML list in the
// file and one text of items separated by commas or blanks in a variable or --set. The two
// top-level keys keep their variables: database (BALIZA_DB) and coordinator
// (BALIZA_COORDINATOR_URL). Older variables stay aliases below the rule (`legacy_env`, the
// first set one wins): BALIZA_MEMORY_LIMIT, BALIZA_THREADS, and the OpenLineage clients'
// OPENLINEAGE_URL, OPENLINEAGE__TRANSPORT__URL, ...
//
// An empty value clears: `--set key=` or the rule's variable set to "" (BALIZA_COORDINATOR_URL=)
// gives the key its default whatever baliza.yml or an older variable says (a text with no
// default becomes unset: `--set coordinator=` extracts locally). An empty older variable is
// "not set", as the OpenLineage clients read theirs; an empty value in baliza.yml is an error.
//
// The project's definition (name, paths, vars, models, seeds, tests, workflows: see
// transform/project_settings.cpp) is not a setting of this table: vars are overridden by --vars.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace baliza {

enum class SettingType {
  kText,     // any text
  kPath,     // a file or folder; relative to baliza.yml's folder when written there
  kUrl,      // scheme://...
  kInt,      // a whole number in [min, max]
  kNumber,   // a number in [min, max]
  kBool,     // true/false (also yes/no, on/off, 1/0)
  kChoice,   // one of `choices`
  kSize,     // a DuckDB memory size: 4GB, 512MiB
  kUrlList,  // URLs: a YAML list, or one text of URLs separated by spaces or commas
};

struct SettingSpec {
  std::string key;  // "duckdb.threads"; no dot for a top-level key
  SettingType type = SettingType::kText;
  std::string default_text;  // "" when unset by default
  double min = 0, max = 0;   // kInt, kNumber
  std::vector<std::string> choices;
  // Older variables that set it too, below BALIZA_<SECTION>__<KEY>; the first set one wins.
  std::vector<std::string> legacy_env;
  std::string help;
  std::vector<std::string> aliases;  // other spellings of the key accepted in baliza.yml
  bool secret = false;               // `baliza config` prints *** instead of the value
};

const std::vector<SettingSpec>& setting_specs();
// nullptr when there is no such key (an alias finds its setting).
const SettingSpec* find_setting(std::string_view key);
// True when `prefix` is a section of some key ("openlineage", "openlineage.transport").
bool is_setting_section(std::string_view prefix);
// The variable that overrides `key`: BALIZA_DUCKDB__THREADS; for a top-level key its legacy one.
std::string setting_env_name(const SettingSpec& spec);
// The older variables that also set `key` (its legacy_env but the one setting_env_name gives):
// BALIZA_THREADS for duckdb.threads, OPENLINEAGE__TRANSPORT__URL and OPENLINEAGE_URL for
// openlineage.transport.url; empty for most keys. `baliza config` lists them.
std::vector<std::string> setting_older_env_names(const SettingSpec& spec);
// The key a BALIZA_<SECTION>__<KEY> variable names ("duckdb.threads"); "" when `name` is not of
// that form.
std::string setting_key_of_env(std::string_view name);
// Every variable that sets some setting (the rule's and the older ones).
bool is_setting_variable(std::string_view name);
// The known key closest to `key` (edit distance), for "did you mean".
std::string closest_setting(std::string_view key);
// Levenshtein distance of two names (for "did you mean").
size_t setting_name_distance(std::string_view a, std::string_view b);
// Keys of one section ("duckdb" -> "memory_limit, threads"), for messages.
std::string section_keys(std::string_view section);
// "a whole number from 1 to 256", "one of failure, warnings, always", ...
std::string expected_text(const SettingSpec& spec);

// Checks `text` against the spec: the normalized value ("true", "4", ...) or a usage error
// (exit 2) naming `where` (file:line:column, the variable, or --set), the value and what is
// expected.
std::string check_setting(const SettingSpec& spec, const std::string& text,
                          const std::string& where);

}  // namespace baliza
