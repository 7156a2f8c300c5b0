// The settings of baliza.yml that Baliza itself reads, in one table: key, type, bounds, default
// and help. core/config.cpp reads them from the file, the environment and --set through this
// table; `baliza config` prints it with the effective values.
//
// The override rule: a key `section.key` is set by the variable BALIZA_<SECTION>__<KEY> (upper
// case, the dot a double underscore: duckdb.threads -> BALIZA_DUCKDB__THREADS) and by the flag
// `--set section.key=value`. The two top-level keys keep their variables: database (BALIZA_DB)
// and coordinator (BALIZA_COORDINATOR_URL); BALIZA_MEMORY_LIMIT and BALIZA_THREADS remain
// aliases of duckdb.memory_limit and duckdb.threads.
//
// The project's own keys (vars, models, seeds, openlineage, budgets, ... see
// transform/project_settings.cpp) are not settings of this table.
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
  SettingType type;
  std::string default_text;  // "" when unset by default
  double min = 0, max = 0;   // kInt, kNumber
  std::vector<std::string> choices;
  std::string legacy_env;  // an older variable that sets it too ("" when none)
  std::string help;
};

const std::vector<SettingSpec>& setting_specs();
// nullptr when there is no such key.
const SettingSpec* find_setting(std::string_view key);
// The variable that overrides `key`: BALIZA_DUCKDB__THREADS; for a top-level key its legacy one.
std::string setting_env_name(const SettingSpec& spec);
// The known key closest to `key` (edit distance), for "did you mean".
std::string closest_setting(std::string_view key);
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
