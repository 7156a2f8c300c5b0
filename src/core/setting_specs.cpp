#include "core/setting_specs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "core/error.h"

namespace baliza {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// digits [. digits] [blanks] unit, the unit one of B KB MB GB TB KiB MiB GiB TiB (any case)
bool is_size(const std::string& value) {
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
  return ok && std::find(std::begin(kUnits), std::end(kUnits), unit) != std::end(kUnits);
}

std::string number_text(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

}  // namespace

size_t setting_name_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

const std::vector<SettingSpec>& setting_specs() {
  using T = SettingType;
  static const std::vector<SettingSpec> specs = {
      {.key = "database",
       .type = T::kPath,
       .default_text = "data/baliza.duckdb",
       .legacy_env = {"BALIZA_DB"},
       .help = "the DuckDB file (the --db flag wins)"},
      {.key = "coordinator",
       .type = T::kText,
       .legacy_env = {"BALIZA_COORDINATOR_URL"},
       .help = "PostgreSQL URL of the extraction coordinator"},
      {.key = "raw_store.zstd_level",
       .type = T::kInt,
       .default_text = "5",
       .min = 1,
       .max = 19,
       .help = "zstd level of stored pages"},
      {.key = "raw_store.max_payload_mb",
       .type = T::kInt,
       .default_text = "256",
       .min = 1,
       .max = 4096,
       .help = "refuse to decompress a stored page larger than this"},
      {.key = "duckdb.memory_limit",
       .type = T::kSize,
       .legacy_env = {"BALIZA_MEMORY_LIMIT"},
       .help = "DuckDB memory_limit (default: 80% of RAM)"},
      {.key = "duckdb.threads",
       .type = T::kInt,
       .min = 1,
       .max = 256,
       .legacy_env = {"BALIZA_THREADS"},
       .help = "DuckDB threads (default: one per core)"},
      {.key = "extract.concurrency",
       .type = T::kInt,
       .min = 1,
       .max = 256,
       .help = "requests in flight for run/extract/retry-failed/verify/worker/demo (their "
               "--concurrency wins; default: endpoints.yaml's)"},
      {.key = "checkpoints.dir",
       .type = T::kPath,
       .help = "where checkpoints live (default: <database file>.checkpoints)"},
      {.key = "checkpoints.keep",
       .type = T::kInt,
       .default_text = "5",
       .min = 0,
       .max = 100000,
       .help = "prune all but the newest N checkpoints (0: no count limit)"},
      {.key = "checkpoints.max_age_days",
       .type = T::kInt,
       .default_text = "14",
       .min = 0,
       .max = 100000,
       .help = "prune checkpoints older than this (0: no age limit)"},
      {.key = "checkpoints.automatic",
       .type = T::kBool,
       .default_text = "true",
       .help = "checkpoint before reset, --full-refresh and a workflow's clear"},
      {.key = "notifications.webhook",
       .type = T::kUrlList,
       .help = "webhook URL(s) called at the end of a run (in a variable or --set: separated "
               "by commas)"},
      {.key = "notifications.format",
       .type = T::kChoice,
       .default_text = "auto",
       .choices = {"auto", "slack", "discord", "json"},
       .help = "body: slack {text}, discord {content}, json (the summary); auto by the URL's "
               "host"},
      {.key = "notifications.on",
       .type = T::kChoice,
       .default_text = "failure",
       .choices = {"failure", "warnings", "always"},
       .help = "when to notify: failure, warnings (or failure), always"},
      {.key = "notifications.timeout",
       .type = T::kNumber,
       .default_text = "5",
       .min = 0.1,
       .max = 120,
       .help = "seconds the end of a run waits for the webhooks at most"},
      {.key = "openlineage.namespace",
       .type = T::kText,
       .default_text = "default",
       .legacy_env = {"OPENLINEAGE_NAMESPACE"},
       .help = "OpenLineage job namespace"},
      {.key = "openlineage.disabled",
       .type = T::kBool,
       .default_text = "false",
       .legacy_env = {"OPENLINEAGE_DISABLED"},
       .help = "true: send no OpenLineage events whatever the transport says"},
      {.key = "openlineage.transport.type",
       .type = T::kChoice,
       .choices = {"http", "file", "none"},
       .legacy_env = {"OPENLINEAGE__TRANSPORT__TYPE"},
       .help = "http, file or none (default: http when a url is set, file when a "
               "log_file_path is, else none)"},
      {.key = "openlineage.transport.url",
       .type = T::kUrl,
       .legacy_env = {"OPENLINEAGE__TRANSPORT__URL", "OPENLINEAGE_URL"},
       .help = "collector of the OpenLineage HTTP API (Marquez: http://localhost:5000)"},
      {.key = "openlineage.transport.endpoint",
       .type = T::kText,
       .default_text = "api/v1/lineage",
       .legacy_env = {"OPENLINEAGE__TRANSPORT__ENDPOINT", "OPENLINEAGE_ENDPOINT"},
       .help = "path under the url"},
      {.key = "openlineage.transport.api_key",
       .type = T::kText,
       .legacy_env = {"OPENLINEAGE__TRANSPORT__AUTH__API_KEY", "OPENLINEAGE_API_KEY"},
       .help = "sent as Authorization: Bearer (prefer the environment)",
       .aliases = {"openlineage.transport.auth.api_key"},
       .secret = true},
      {.key = "openlineage.transport.timeout",
       .type = T::kNumber,
       .default_text = "5",
       .min = 0.001,
       .max = 600,
       .legacy_env = {"OPENLINEAGE__TRANSPORT__TIMEOUT"},
       .help = "seconds per POST, and the most the end of a command waits for the events"},
      {.key = "openlineage.transport.retries",
       .type = T::kInt,
       .default_text = "2",
       .min = 0,
       .max = 10,
       .legacy_env = {"OPENLINEAGE__TRANSPORT__RETRIES"},
       .help = "extra attempts after a failed POST"},
      {.key = "openlineage.transport.log_file_path",
       .type = T::kPath,
       .legacy_env = {"OPENLINEAGE__TRANSPORT__LOG_FILE_PATH"},
       .help = "type file: the JSON-lines file events are appended to",
       .aliases = {"openlineage.transport.file"}},
      {.key = "budgets.max_estimated_rows",
       .type = T::kInt,
       .min = 1,
       .max = 1e15,
       .help = "per model: validate --estimate fails above this many estimated rows"},
      {.key = "budgets.max_estimated_cost",
       .type = T::kInt,
       .min = 1,
       .max = 1e15,
       .help = "per model: validate --estimate fails above this estimated cost (rows moved)"},
  };
  return specs;
}

const SettingSpec* find_setting(std::string_view key) {
  for (const SettingSpec& s : setting_specs()) {
    if (s.key == key) return &s;
    for (const std::string& alias : s.aliases) {
      if (alias == key) return &s;
    }
  }
  return nullptr;
}

bool is_setting_section(std::string_view prefix) {
  std::string p = std::string(prefix) + ".";
  for (const SettingSpec& s : setting_specs()) {
    if (s.key.rfind(p, 0) == 0) return true;
    for (const std::string& alias : s.aliases) {
      if (alias.rfind(p, 0) == 0) return true;
    }
  }
  return false;
}

std::string setting_env_name(const SettingSpec& spec) {
  if (spec.key.find('.') == std::string::npos) {
    return spec.legacy_env.empty() ? std::string() : spec.legacy_env.front();
  }
  std::string name = "BALIZA_";
  for (char c : spec.key) {
    if (c == '.') {
      name += "__";
    } else {
      name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  return name;
}

std::vector<std::string> setting_older_env_names(const SettingSpec& spec) {
  std::vector<std::string> out;
  const std::string rule = setting_env_name(spec);
  for (const std::string& name : spec.legacy_env) {
    if (name != rule) out.push_back(name);
  }
  return out;
}

std::string setting_key_of_env(std::string_view name) {
  if (name.rfind("BALIZA_", 0) != 0 || name.find("__") == std::string_view::npos) return "";
  std::string key;
  for (size_t i = 7; i < name.size(); ++i) {
    if (name.compare(i, 2, "__") == 0) {
      key.push_back('.');
      ++i;
    } else {
      key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(name[i]))));
    }
  }
  return key;
}

bool is_setting_variable(std::string_view name) {
  for (const SettingSpec& s : setting_specs()) {
    if (setting_env_name(s) == name) return true;
    for (const std::string& v : s.legacy_env) {
      if (v == name) return true;
    }
  }
  return false;
}

std::string closest_setting(std::string_view key) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const SettingSpec& s : setting_specs()) {
    size_t d = setting_name_distance(lower(std::string(key)), s.key);
    if (d < best_distance) {
      best_distance = d;
      best = s.key;
    }
  }
  return best;
}

std::string section_keys(std::string_view section) {
  std::string out;
  std::string prefix = std::string(section) + ".";
  for (const SettingSpec& s : setting_specs()) {
    if (s.key.rfind(prefix, 0) == 0) out += (out.empty() ? "" : ", ") + s.key.substr(prefix.size());
  }
  return out;
}

std::string expected_text(const SettingSpec& spec) {
  switch (spec.type) {
    case SettingType::kInt:
      return "a whole number from " + number_text(spec.min) + " to " + number_text(spec.max);
    case SettingType::kNumber:
      return "a number from " + number_text(spec.min) + " to " + number_text(spec.max);
    case SettingType::kBool:
      return "true or false";
    case SettingType::kChoice: {
      std::string out = "one of ";
      for (size_t i = 0; i < spec.choices.size(); ++i) out += (i ? ", " : "") + spec.choices[i];
      return out;
    }
    case SettingType::kSize:
      return "a size such as 4GB, 512MB or 2GiB";
    case SettingType::kUrl:
    case SettingType::kUrlList:
      return "http:// or https:// URL(s)";
    case SettingType::kPath:
      return "a file or folder path";
    case SettingType::kText:
      return "a text";
  }
  return "a value";
}

std::string check_setting(const SettingSpec& spec, const std::string& text,
                          const std::string& where) {
  auto bad = [&]() -> Error {
    return usage_error(spec.key + " at " + where + " is '" + text + "': expected " +
                       expected_text(spec));
  };
  switch (spec.type) {
    case SettingType::kInt: {
      char* end = nullptr;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || v < spec.min || v > spec.max) throw bad();
      return std::to_string(v);
    }
    case SettingType::kNumber: {
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(v >= spec.min && v <= spec.max)) throw bad();
      return number_text(v);
    }
    case SettingType::kBool: {
      std::string l = lower(text);
      if (l == "true" || l == "yes" || l == "on" || l == "1") return "true";
      if (l == "false" || l == "no" || l == "off" || l == "0") return "false";
      throw bad();
    }
    case SettingType::kChoice:
      if (std::find(spec.choices.begin(), spec.choices.end(), text) == spec.choices.end()) {
        throw bad();
      }
      return text;
    case SettingType::kSize:
      if (!is_size(text)) throw bad();
      return text;
    case SettingType::kUrl:
    case SettingType::kUrlList:
      if (text.rfind("http://", 0) != 0 && text.rfind("https://", 0) != 0) throw bad();
      return text;
    case SettingType::kPath:
    case SettingType::kText:
      if (text.empty()) throw bad();
      return text;
  }
  return text;
}

}  // namespace baliza
