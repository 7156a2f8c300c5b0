#include "core/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "core/error.h"
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
    for (const char* v : {"BALIZA_DB", "BALIZA_MEMORY_LIMIT", "BALIZA_THREADS"}) unsetenv(v);
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
    EXPECT_NE(m.find("memory_limit 'lots' at " + file.string() + ":3:17"), std::string::npos) << m;
    EXPECT_NE(m.find("like 4GB"), std::string::npos) << m;
  }
  write(file, "duckdb:\n  cores: 2\n");
  try {
    resolve_settings(std::nullopt, file);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown key duckdb.cores"), std::string::npos);
  }
}

}  // namespace
}  // namespace baliza
