#include "core/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>

#include "core/error.h"
#include "core/log.h"
#include "core/setting_specs.h"
#include "support/temp_dir.h"

namespace baliza {
namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* v :
         {"BALIZA_DB", "BALIZA_MEMORY_LIMIT", "BALIZA_THREADS", "BALIZA_DUCKDB__THREADS",
          "BALIZA_EXTRACT__CONCURRENCY", "BALIZA_EXTRACT__CONCURENCY", "BALIZA_CHECKPOINTS__KEEP",
          "BALIZA_NOTIFICATIONS__WEBHOOK", "BALIZA_COORDINATOR_URL"}) {
      unsetenv(v);
    }
    set_command_line_overrides({});
  }
  testing::TempDir dir;
};

TEST_F(ConfigTest, DefaultsWithoutAFile) {
  Settings s = resolve_settings(std::nullopt, std::nullopt);
  EXPECT_EQ(s.db_path, "data/baliza.duckdb");
  EXPECT_EQ(s.db_source, "default");
  EXPECT_EQ(s.zstd_level, 5);
}

TEST_F(ConfigTest, PrecedenceFlagOverEnvOverFile) {
  auto file = dir / "baliza.yml";
  write(file, "name: p\ndatabase: other/file.duckdb\nraw_store:\n  zstd_level: 9\n");
  Settings from_file = resolve_settings(std::nullopt, file);
  EXPECT_EQ(std::filesystem::path(from_file.db_path), dir / "other/file.duckdb");
  EXPECT_EQ(from_file.db_source, file.string() + ":2:11");
  EXPECT_EQ(from_file.zstd_level, 9);

  setenv("BALIZA_DB", "env.duckdb", 1);
  Settings from_env = resolve_settings(std::nullopt, file);
  EXPECT_EQ(from_env.db_path, "env.duckdb");
  EXPECT_EQ(from_env.db_source, "BALIZA_DB");
  EXPECT_EQ(from_env.zstd_level, 9);

  Settings from_flag = resolve_settings(std::string("flag.duckdb"), file);
  EXPECT_EQ(from_flag.db_path, "flag.duckdb");
  EXPECT_EQ(from_flag.db_source, "--db");
}

TEST_F(ConfigTest, FindsTheFileInAParentFolder) {
  write(dir / "baliza.yml", "name: p\n");
  std::filesystem::create_directories(dir / "a" / "b");
  auto found = find_config_file(dir / "a" / "b");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, dir.path() / "baliza.yml");
}

TEST_F(ConfigTest, YamlSyntaxErrorSaysFileLineColumn) {
  auto file = dir / "baliza.yml";
  write(file, "name: p\ndatabase: [unclosed\n");
  try {
    resolve_settings(std::nullopt, file);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find(file.string() + ":3:1"), std::string::npos) << e.what();
  }
}

// Found by the yaml_loaders fuzz target: a mapping or a list used as a key (`{{type: x}}` is a
// flow mapping whose key is a mapping) was converted to text and the conversion's exception
// escaped. It is a usage error naming the position.
TEST_F(ConfigTest, AKeyThatIsAMappingOrAListIsAUsageError) {
  auto file = dir / "baliza.yml";
  for (const char* text :
       {"name: p\nopenlineage: {{type: carrier-pigeon}}\n", "name: p\n? [a, b]\n: 1\n"}) {
    write(file, text);
    try {
      resolve_settings(std::nullopt, file);
      FAIL() << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage) << text;
      EXPECT_NE(std::string(e.what()).find(file.string() + ":"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("keys are plain names"), std::string::npos) << e.what();
    }
  }
}

TEST_F(ConfigTest, BadValuesAreNamedWithTheirPosition) {
  auto file = dir / "baliza.yml";
  write(file, "raw_store:\n  zstd_level: 40\n");
  try {
    resolve_settings(std::nullopt, file);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("raw_store.zstd_level at " + file.string() + ":2:15"),
              std::string::npos)
        << e.what();
  }
  write(file, "raw_store:\n  level: 4\n");
  EXPECT_THROW(resolve_settings(std::nullopt, file), Error);
}

TEST_F(ConfigTest, DuckDbLimitsFromTheFileAndTheEnvironment) {
  auto file = dir / "baliza.yml";
  write(file, "duckdb:\n  memory_limit: 2GiB\n  threads: 2\n");
  Settings s = resolve_settings(std::nullopt, file);
  EXPECT_EQ(s.memory_limit, "2GiB");
  EXPECT_EQ(s.threads, "2");
  setenv("BALIZA_MEMORY_LIMIT", "512MB", 1);
  setenv("BALIZA_THREADS", "1", 1);
  s = resolve_settings(std::nullopt, file);
  EXPECT_EQ(s.memory_limit, "512MB");
  EXPECT_EQ(s.threads, "1");
  setenv("BALIZA_THREADS", "many", 1);
  EXPECT_THROW(resolve_settings(std::nullopt, file), Error);
}

TEST_F(ConfigTest, BadDuckDbLimitsSayWhereAndHow) {
  auto file = dir / "baliza.yml";
  write(file, "name: p\nduckdb:\n  memory_limit: lots\n");
  try {
    resolve_settings(std::nullopt, file);
    FAIL();
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("duckdb.memory_limit at " + file.string() + ":3:17 is 'lots'"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("such as 4GB"), std::string::npos) << m;
  }
  write(file, "duckdb:\n  cores: 2\n");
  try {
    resolve_settings(std::nullopt, file);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown key duckdb.cores"), std::string::npos);
  }
}

const SettingValue& value_of(const Settings& s, const std::string& key) {
  for (const SettingValue& v : s.values) {
    if (v.key == key) return v;
  }
  throw std::runtime_error("no setting " + key);
}

TEST_F(ConfigTest, FlagOverEnvironmentOverFileOverDefaultWithProvenance) {
  auto file = dir / "baliza.yml";
  write(file, "name: p\nextract:\n  concurrency: 3\ncheckpoints:\n  keep: 7\n  dir: ck\n");
  Settings s = resolve_settings(std::nullopt, file);
  EXPECT_EQ(s.extract_concurrency, 3);
  EXPECT_EQ(value_of(s, "extract.concurrency").source, file.string() + ":3:16");
  EXPECT_EQ(s.checkpoint_keep, 7);
  EXPECT_EQ(std::filesystem::path(s.checkpoint_dir), dir / "ck");  // relative to the file
  EXPECT_EQ(value_of(s, "checkpoints.max_age_days").source, "default");
  EXPECT_EQ(s.checkpoint_max_age_days, 14);

  setenv("BALIZA_EXTRACT__CONCURRENCY", "8", 1);
  s = resolve_settings(std::nullopt, file);
  EXPECT_EQ(s.extract_concurrency, 8);
  EXPECT_EQ(value_of(s, "extract.concurrency").source, "env BALIZA_EXTRACT__CONCURRENCY");
  EXPECT_EQ(s.checkpoint_keep, 7);

  set_command_line_overrides({"extract.concurrency=12", "checkpoints.automatic=false"});
  s = resolve_settings(std::nullopt, file);
  EXPECT_EQ(s.extract_concurrency, 12);
  EXPECT_EQ(value_of(s, "extract.concurrency").source, "--set");
  EXPECT_FALSE(s.checkpoint_automatic);
  EXPECT_EQ(value_of(s, "checkpoints.automatic").value, "false");
}

TEST_F(ConfigTest, OlderVariablesKeepWorkingAndTheRuleWins) {
  setenv("BALIZA_THREADS", "3", 1);
  Settings s = resolve_settings(std::nullopt, std::nullopt);
  EXPECT_EQ(s.threads, "3");
  EXPECT_EQ(value_of(s, "duckdb.threads").source, "env BALIZA_THREADS");
  setenv("BALIZA_DUCKDB__THREADS", "5", 1);
  s = resolve_settings(std::nullopt, std::nullopt);
  EXPECT_EQ(s.threads, "5");
  setenv("BALIZA_COORDINATOR_URL", "postgresql://x@127.0.0.1/db", 1);
  s = resolve_settings(std::nullopt, std::nullopt);
  EXPECT_EQ(s.coordinator_url, "postgresql://x@127.0.0.1/db");
  EXPECT_EQ(s.coordinator_source, "BALIZA_COORDINATOR_URL");
  set_command_line_overrides({"database=set.duckdb"});
  s = resolve_settings(std::nullopt, std::nullopt);
  EXPECT_EQ(s.db_path, "set.duckdb");
  s = resolve_settings(std::string("flag.duckdb"), std::nullopt);
  EXPECT_EQ(s.db_path, "flag.duckdb");  // --db is the most specific
}

TEST_F(ConfigTest, WebhooksFromAListOrOneVariable) {
  auto file = dir / "baliza.yml";
  write(file,
        "notifications:\n  webhook:\n    - https://hooks.slack.com/services/A\n    - "
        "https://discord.com/api/webhooks/1/b\n  on: warnings\n  timeout: 2.5\n");
  Settings s = resolve_settings(std::nullopt, file);
  ASSERT_EQ(s.notify_webhooks.size(), 2u);
  EXPECT_EQ(s.notify_webhooks[1], "https://discord.com/api/webhooks/1/b");
  EXPECT_EQ(s.notify_on, "warnings");
  EXPECT_DOUBLE_EQ(s.notify_timeout_seconds, 2.5);
  setenv("BALIZA_NOTIFICATIONS__WEBHOOK", "http://127.0.0.1:9/a, http://127.0.0.1:9/b", 1);
  s = resolve_settings(std::nullopt, file);
  ASSERT_EQ(s.notify_webhooks.size(), 2u);
  EXPECT_EQ(s.notify_webhooks[0], "http://127.0.0.1:9/a");
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

// What `baliza config` lists as a key's older variables: its legacy ones but the rule's own.
TEST_F(ConfigTest, OlderVariableNamesAreListedPerKey) {
  EXPECT_EQ(setting_older_env_names(*find_setting("duckdb.threads")),
            std::vector<std::string>{"BALIZA_THREADS"});
  EXPECT_EQ(setting_older_env_names(*find_setting("openlineage.transport.url")),
            (std::vector<std::string>{"OPENLINEAGE__TRANSPORT__URL", "OPENLINEAGE_URL"}));
  EXPECT_TRUE(setting_older_env_names(*find_setting("database")).empty());  // BALIZA_DB is the rule
  EXPECT_TRUE(setting_older_env_names(*find_setting("checkpoints.keep")).empty());
}

// `--set key=` and an empty rule variable clear what baliza.yml says: a text with no default
// becomes unset, a number its default, the database its default path next to baliza.yml.
TEST_F(ConfigTest, AnEmptyOverrideClearsTheFilesValue) {
  auto file = dir / "baliza.yml";
  write(file,
        "name: p\ndatabase: other.duckdb\ncoordinator: postgresql://u@127.0.0.1/c\n"
        "checkpoints:\n  keep: 9\nnotifications:\n  webhook: https://hooks.example/x\n");
  Settings from_file = resolve_settings(std::nullopt, file);
  EXPECT_EQ(from_file.coordinator_url, "postgresql://u@127.0.0.1/c");
  EXPECT_EQ(from_file.checkpoint_keep, 9);
  ASSERT_EQ(from_file.notify_webhooks.size(), 1u);

  set_command_line_overrides({"coordinator=", "checkpoints.keep=", "notifications.webhook="});
  setenv("BALIZA_DB", "", 1);
  Settings s = resolve_settings(std::nullopt, file);
  EXPECT_EQ(s.coordinator_url, "");
  EXPECT_EQ(s.coordinator_source, "default");
  EXPECT_EQ(value_of(s, "coordinator").source, "default (cleared by --set)");
  EXPECT_EQ(s.checkpoint_keep, 5);
  EXPECT_TRUE(s.notify_webhooks.empty());
  EXPECT_EQ(std::filesystem::path(s.db_path), dir / "data/baliza.duckdb");
  EXPECT_EQ(s.db_source, "default");
  EXPECT_EQ(value_of(s, "database").source, "default (cleared by env BALIZA_DB)");

  // --db still names a file; an empty one is an error, never the default by accident.
  set_command_line_overrides({});
  std::string m = error_of([&] { resolve_settings(std::string(), file); });
  EXPECT_NE(m.find("database at --db is ''"), std::string::npos) << m;
  // An empty value written in baliza.yml is a mistake there, said with its position.
  unsetenv("BALIZA_DB");
  write(file, "name: p\ncoordinator: ''\n");
  m = error_of([&] { resolve_settings(std::nullopt, file); });
  EXPECT_NE(m.find("coordinator at " + file.string() + ":2:14 is ''"), std::string::npos) << m;
}

TEST_F(ConfigTest, BadValuesNameTheirSourceAndTheExpectedType) {
  auto file = dir / "baliza.yml";
  write(file, "name: p\ncheckpoints:\n  automatic: maybe\n");
  std::string m = error_of([&] { resolve_settings(std::nullopt, file); });
  EXPECT_NE(m.find("checkpoints.automatic at " + file.string() +
                   ":3:14 is 'maybe': expected "
                   "true or false"),
            std::string::npos)
      << m;
  write(file, "name: p\n");
  setenv("BALIZA_CHECKPOINTS__KEEP", "lots", 1);
  m = error_of([&] { resolve_settings(std::nullopt, file); });
  EXPECT_NE(m.find("checkpoints.keep at BALIZA_CHECKPOINTS__KEEP is 'lots': expected a whole "
                   "number from 0 to 100000"),
            std::string::npos)
      << m;
  unsetenv("BALIZA_CHECKPOINTS__KEEP");
  set_command_line_overrides({"notifications.on=sometimes"});
  m = error_of([&] { resolve_settings(std::nullopt, file); });
  EXPECT_NE(m.find("notifications.on at --set notifications.on is 'sometimes': expected one of "
                   "failure, warnings, always"),
            std::string::npos)
      << m;
  set_command_line_overrides({"notifications.webhook=ftp://x"});
  m = error_of([&] { resolve_settings(std::nullopt, file); });
  EXPECT_NE(m.find("expected http:// or https://"), std::string::npos) << m;
}

TEST_F(ConfigTest, UnknownKeysNameTheClosestOne) {
  // A misspelt variable is ignored with a warning naming the closest setting (not an error: a
  // stray variable must not stop a scheduled run); --set is a mistake of this command: exit 2.
  std::vector<std::string> warnings;
  set_log_observer([&](LogLevel, std::string_view m) { warnings.emplace_back(m); });
  Environment env;
  env.get = [](const char* name) -> const char* {
    return std::string(name) == "BALIZA_EXTRACT__CONCURENCY" ? "4" : nullptr;
  };
  env.names = {"BALIZA_EXTRACT__CONCURENCY",
               "BALIZA_DUCKDB_THREADS",
               "BALIZA_BIN",
               "BALIZA_SHARED_DIR",
               "BALIZA_DUCKDB_LIB",
               "BALIZA_DB",
               "PATH"};
  Settings s = resolve_settings(std::nullopt, std::nullopt, env);
  set_log_observer(nullptr);
  EXPECT_EQ(s.extract_concurrency, 0);
  ASSERT_EQ(warnings.size(), 2u) << (warnings.empty() ? "" : warnings[0]);
  EXPECT_NE(warnings[0].find("unknown setting variable BALIZA_EXTRACT__CONCURENCY is ignored; did "
                             "you mean BALIZA_EXTRACT__CONCURRENCY (extract.concurrency)"),
            std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[1].find("BALIZA_DUCKDB_THREADS is ignored; did you mean "
                             "BALIZA_DUCKDB__THREADS (duckdb.threads)"),
            std::string::npos)
      << warnings[1];

  set_command_line_overrides({"duckdb.thread=2"});
  std::string m = error_of([] { resolve_settings(std::nullopt, std::nullopt); });
  EXPECT_NE(m.find("unknown setting --set duckdb.thread; did you mean duckdb.threads"),
            std::string::npos)
      << m;
  set_command_line_overrides({"duckdb.threads"});
  m = error_of([] { resolve_settings(std::nullopt, std::nullopt); });
  EXPECT_NE(m.find("must be section.key=value"), std::string::npos) << m;
  set_command_line_overrides({});
  write(dir / "baliza.yml", "openlineage:\n  transport:\n    uri: http://x\n");
  m = error_of([&] { resolve_settings(std::nullopt, dir / "baliza.yml"); });
  EXPECT_NE(m.find("unknown key openlineage.transport.uri at " + (dir / "baliza.yml").string() +
                   ":3:5; did you mean openlineage.transport.url"),
            std::string::npos)
      << m;
}

// A valid value of `spec` other than its default, as a variable or --set would write it.
std::string sample_of(const SettingSpec& spec) {
  auto whole = [](double v) { return std::to_string(static_cast<long long>(v)); };
  switch (spec.type) {
    case SettingType::kText:
      return "sample-text";
    case SettingType::kPath:
      return "elsewhere/sample.path";
    case SettingType::kUrl:
      return "http://127.0.0.1:9/sample";
    case SettingType::kInt:
      return spec.default_text == whole(spec.max) ? whole(spec.min) : whole(spec.max);
    case SettingType::kNumber:
      return spec.default_text == check_setting(spec, std::to_string(spec.max), "")
                 ? std::to_string(spec.min)
                 : std::to_string(spec.max);
    case SettingType::kBool:
      return spec.default_text == "true" ? "false" : "true";
    case SettingType::kChoice:
      return spec.choices.front() == spec.default_text ? spec.choices.back() : spec.choices.front();
    case SettingType::kSize:
      return "3GB";
    case SettingType::kUrlList:
      return "http://127.0.0.1:9/a,http://127.0.0.1:9/b";
  }
  return "";
}

// The effective text `sample` gives (a list: its items joined with ", ").
std::string expected_of(const SettingSpec& spec, const std::string& sample) {
  if (spec.type == SettingType::kUrlList) return "http://127.0.0.1:9/a, http://127.0.0.1:9/b";
  return check_setting(spec, sample, "test");
}

Environment only(const std::map<std::string, std::string>& vars) {
  Environment env;
  auto shared = std::make_shared<std::map<std::string, std::string>>(vars);
  env.get = [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
  for (const auto& [name, value] : vars) env.names.push_back(name);
  return env;
}

// Every setting of the table, whatever its section or depth, is set by the file, by its
// BALIZA_ variable (and each older one), and by --set, and says so: a new setting cannot be
// added without being overridable and shown by `baliza config`.
TEST_F(ConfigTest, EverySettingIsOverridableByFileEnvironmentAndSet) {
  ASSERT_GE(setting_specs().size(), 25u);
  Settings defaults = resolve_settings(std::nullopt, std::nullopt, only({}));
  ASSERT_EQ(defaults.values.size(), setting_specs().size());
  for (const SettingSpec& spec : setting_specs()) {
    SCOPED_TRACE(spec.key);
    const std::string sample = sample_of(spec);
    const std::string expected = expected_of(spec, sample);
    ASSERT_NE(expected, defaults.value(spec.key).value) << "the sample must change the value";
    EXPECT_EQ(defaults.value(spec.key).source, "default");

    const std::string name = setting_env_name(spec);
    ASSERT_FALSE(name.empty());
    if (spec.key.find('.') != std::string::npos) {
      std::string rule = "BALIZA_";
      for (char c : spec.key) {
        rule += c == '.' ? std::string("__") : std::string(1, static_cast<char>(std::toupper(c)));
      }
      EXPECT_EQ(name, rule);
      EXPECT_EQ(setting_key_of_env(name), spec.key);
    }
    Settings env = resolve_settings(std::nullopt, std::nullopt, only({{name, sample}}));
    EXPECT_EQ(env.value(spec.key).value, expected);
    EXPECT_EQ(env.value(spec.key).source, "env " + name);
    for (const std::string& legacy : spec.legacy_env) {
      Settings older = resolve_settings(std::nullopt, std::nullopt, only({{legacy, sample}}));
      EXPECT_EQ(older.value(spec.key).value, expected) << legacy;
      EXPECT_EQ(older.value(spec.key).source, "env " + legacy);
    }

    set_command_line_overrides({spec.key + "=" + sample});
    Settings flag = resolve_settings(std::nullopt, std::nullopt, only({{name, sample}}));
    set_command_line_overrides({});
    EXPECT_EQ(flag.value(spec.key).value, expected);
    EXPECT_EQ(flag.value(spec.key).source, "--set");

    // In baliza.yml, nested as the dots say.
    std::string yaml, indent;
    std::string rest = spec.key;
    for (size_t dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      yaml += indent + rest.substr(0, dot) + ":\n";
      indent += "  ";
      rest = rest.substr(dot + 1);
    }
    yaml += indent + rest + ": '" + sample + "'\n";
    write(dir / "baliza.yml", yaml);
    Settings file = resolve_settings(std::nullopt, dir / "baliza.yml", only({}));
    EXPECT_EQ(file.value(spec.key).source.rfind((dir / "baliza.yml").string() + ":", 0), 0u)
        << file.value(spec.key).source;
    if (spec.type != SettingType::kPath) {
      EXPECT_EQ(file.value(spec.key).value, expected);
    }

    // An empty override clears the key back to its default, over the file, the rule's variable
    // and every older one; an empty older variable alone is "not set".
    Settings env_cleared = resolve_settings(std::nullopt, dir / "baliza.yml", only({{name, ""}}));
    EXPECT_EQ(env_cleared.value(spec.key).source, "default (cleared by env " + name + ")");
    if (spec.type != SettingType::kPath) {
      EXPECT_EQ(env_cleared.value(spec.key).value, defaults.value(spec.key).value);
    }
    set_command_line_overrides({spec.key + "="});
    Settings set_cleared =
        resolve_settings(std::nullopt, dir / "baliza.yml", only({{name, sample}}));
    set_command_line_overrides({});
    EXPECT_EQ(set_cleared.value(spec.key).source, "default (cleared by --set)");
    EXPECT_EQ(set_cleared.value(spec.key).value, env_cleared.value(spec.key).value);
    for (const std::string& older : setting_older_env_names(spec)) {
      Settings over_older =
          resolve_settings(std::nullopt, std::nullopt, only({{older, sample}, {name, ""}}));
      EXPECT_EQ(over_older.value(spec.key).value, defaults.value(spec.key).value) << older;
      Settings empty_older = resolve_settings(std::nullopt, std::nullopt, only({{older, ""}}));
      EXPECT_EQ(empty_older.value(spec.key).source, "default") << older;
    }

    // A bad value names the variable and exits 2 (a text accepts anything but nothing).
    if (spec.type != SettingType::kText && spec.type != SettingType::kPath) {
      std::string m = error_of([&] {
        resolve_settings(std::nullopt, std::nullopt, only({{name, "%bad%"}}));
      });
      EXPECT_NE(m.find(spec.key + " at " + name + " is '%bad%'"), std::string::npos) << m;
    }
  }
}

}  // namespace
}  // namespace baliza
