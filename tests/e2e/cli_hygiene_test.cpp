// End-to-end: usage mistakes are said plainly, with the closest match and exit 2.
#include <gtest/gtest.h>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CliHygiene : public testing::BalizaCli {};

TEST_F(CliHygiene, UnknownCommandsNameTheClosestOne) {
  auto r = baliza("quey 'select 1'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown command 'quey'; did you mean 'query'?")) << r.err;
  // --help after a command that does not exist is still an error, not the top-level help.
  auto help = baliza("no-such-command --help");
  EXPECT_EQ(help.exit_code, 2);
  EXPECT_TRUE(contains(help.err, "unknown command 'no-such-command'")) << help.err;
  EXPECT_TRUE(help.out.empty()) << help.out;
  auto nested = baliza("dbt biuld");
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_TRUE(contains(nested.err, "unknown command 'dbt biuld'; did you mean 'build'?"))
      << nested.err;
}

TEST_F(CliHygiene, UnknownFlagsNameTheClosestOne) {
  auto r = baliza("dbt run --selct x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown flag --selct for `baliza dbt run`; did you mean '--select'"))
      << r.err;
  auto q = baliza("query --formt csv 'select 1'");
  EXPECT_EQ(q.exit_code, 2);
  EXPECT_TRUE(contains(q.err, "did you mean '--format'")) << q.err;
  // Known commands and their help still work.
  EXPECT_EQ(baliza("dbt run --help").exit_code, 0);
  EXPECT_EQ(baliza("--version").exit_code, 0);
}

}  // namespace
}  // namespace baliza

namespace baliza {
namespace {

// Display columns of a UTF-8 line (code points).
std::size_t columns_of(const std::string& line) {
  std::size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

TEST_F(CliHygiene, QueryTableModeCutsWideValuesToTheTerminal) {
  const std::string sql = "\"select 42 as id, repeat('abcdefghij', 20) as wide, 'short' as s\"";
  auto cut = testing::run_command(
      std::string("env -u BALIZA_DB COLUMNS=60 ") + BALIZA_BIN + " --db q.duckdb query " + sql,
      dir.path());
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  std::size_t start = 0;
  while (start < cut.out.size()) {
    std::size_t nl = cut.out.find('\n', start);
    std::string line = cut.out.substr(start, nl - start);
    EXPECT_LE(columns_of(line), 60u) << line;
    start = nl + 1;
  }
  EXPECT_TRUE(contains(cut.out, "abcdefghij")) << cut.out;
  EXPECT_TRUE(contains(cut.out, "\u2026")) << cut.out;  // the cut value ends with an ellipsis
  EXPECT_TRUE(contains(cut.out, "short")) << cut.out;
  // --full, --max-width, and csv/json are never cut.
  std::string whole;
  for (int i = 0; i < 20; ++i) whole += "abcdefghij";
  auto full = testing::run_command(std::string("env -u BALIZA_DB COLUMNS=60 ") + BALIZA_BIN +
                                       " --db q.duckdb query --full " + sql,
                                   dir.path());
  EXPECT_TRUE(contains(full.out, whole)) << full.out;
  EXPECT_FALSE(contains(cut.out, whole)) << cut.out;
  auto csv = testing::run_command(std::string("env -u BALIZA_DB COLUMNS=60 ") + BALIZA_BIN +
                                      " --db q.duckdb query -f csv " + sql,
                                  dir.path());
  EXPECT_TRUE(contains(csv.out, whole)) << csv.out;
  auto narrow = baliza("--db q.duckdb query --max-width 40 " + sql);
  ASSERT_EQ(narrow.exit_code, 0) << narrow.err;
  EXPECT_FALSE(contains(narrow.out, whole));
  EXPECT_TRUE(contains(narrow.out, "42")) << narrow.out;
}

}  // namespace
}  // namespace baliza
