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

size_t edit_distance(std::string_view a, std::string_view b) {
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

const std::vector<SettingSpec>& setting_specs() {
  using T = SettingType;
  static const std::vector<SettingSpec> specs = {
      {"database",
       T::kPath,
       "data/baliza.duckdb",
       0,
       0,
       {},
       "BALIZA_DB",
       "the DuckDB file (the --db flag wins)"},
      {"coordinator",
       T::kText,
       "",
       0,
       0,
       {},
       "BALIZA_COORDINATOR_URL",
       "PostgreSQL URL of the extraction coordinator"},
      {"raw_store.zstd_level", T::kInt, "5", 1, 19, {}, "", "zstd level of stored pages"},
      {"raw_store.max_payload_mb",
       T::kInt,
       "256",
       1,
       4096,
       {},
       "",
       "refuse to decompress a stored page larger than this"},
      {"duckdb.memory_limit",
       T::kSize,
       "",
       0,
       0,
       {},
       "BALIZA_MEMORY_LIMIT",
       "DuckDB memory_limit (default: 80% of RAM)"},
      {"duckdb.threads",
       T::kInt,
       "",
       1,
       256,
       {},
       "BALIZA_THREADS",
       "DuckDB threads (default: one per core)"},
      {"extract.concurrency",
       T::kInt,
       "",
       1,
       256,
       {},
       "",
       "requests in flight for extract/run/retry-failed (their --concurrency wins)"},
      {"checkpoints.dir",
       T::kPath,
       "",
       0,
       0,
       {},
       "",
       "where checkpoints live (default: <database file>.checkpoints)"},
      {"checkpoints.keep",
       T::kInt,
       "5",
       0,
       100000,
       {},
       "",
       "prune all but the newest N checkpoints (0: no count limit)"},
      {"checkpoints.max_age_days",
       T::kInt,
       "14",
       0,
       100000,
       {},
       "",
       "prune checkpoints older than this (0: no age limit)"},
      {"checkpoints.automatic",
       T::kBool,
       "true",
       0,
       0,
       {},
       "",
       "checkpoint before reset, --full-refresh and a workflow's clear"},
      {"notifications.webhook",
       T::kUrlList,
       "",
       0,
       0,
       {},
       "",
       "webhook URL(s) called at the end of a run"},
      {"notifications.format",
       T::kChoice,
       "auto",
       0,
       0,
       {"auto", "slack", "discord", "json"},
       "",
       "body: slack {text}, discord {content}, json (the summary); auto by the URL's host"},
      {"notifications.on",
       T::kChoice,
       "failure",
       0,
       0,
       {"failure", "warnings", "always"},
       "",
       "when to notify: failure, warnings (or failure), always"},
      {"notifications.timeout",
       T::kNumber,
       "5",
       0.1,
       120,
       {},
       "",
       "seconds the end of a run waits for the webhooks at most"},
  };
  return specs;
}

const SettingSpec* find_setting(std::string_view key) {
  for (const SettingSpec& s : setting_specs()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

std::string setting_env_name(const SettingSpec& spec) {
  if (spec.key.find('.') == std::string::npos) return spec.legacy_env;
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

std::string closest_setting(std::string_view key) {
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const SettingSpec& s : setting_specs()) {
    size_t d = edit_distance(lower(std::string(key)), s.key);
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
