#include "ops/mart_export.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "support/temp_dir.h"

namespace baliza::ops {
namespace {

class MartExport : public ::testing::Test {
 protected:
  MartExport() : conn(Database::open(":memory:")) {
    conn.execute(
        "CREATE SCHEMA marts;"
        "CREATE TABLE marts.gastos AS SELECT DATE '2024-01-01' + INTERVAL (i % 60) DAY AS "
        "mes_referencia, 'orgao' || (i % 7) AS orgao, i * 1.5 AS valor FROM range(300) t(i);"
        "CREATE TABLE marts.dim_orgao AS SELECT 'orgao' || i AS orgao FROM range(7) t(i);");
  }
  std::string count(const std::string& glob) {
    return conn
        .scalar("SELECT count(*) FROM read_parquet(" + quote_literal(glob) +
                ", hive_partitioning = true)")
        .value_or("?");
  }
  Connection conn;
  testing::TempDir dir;
};

TEST_F(MartExport, PartitionsByMonthAndRerunsReplaceFiles) {
  auto out = export_marts(conn, {dir.path(), "marts", std::nullopt});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].name, "gastos");
  EXPECT_EQ(out[1].period_column, "mes_referencia");
  EXPECT_EQ(out[1].rows, 300u);
  EXPECT_TRUE(std::filesystem::exists(dir / "gastos" / "year=2024" / "month=01"));
  EXPECT_TRUE(std::filesystem::exists(dir / "gastos" / "year=2024" / "month=02"));
  EXPECT_TRUE(std::filesystem::exists(dir / "dim_orgao" / "dim_orgao.parquet"));
  std::string all = (dir / "gastos" / "*" / "*" / "*.parquet").string();
  EXPECT_EQ(count(all), "300");
  EXPECT_EQ(conn.scalar("SELECT sum(valor) FROM read_parquet(" + quote_literal(all) + ")"),
            conn.scalar("SELECT sum(valor) FROM marts.gastos"));
  // A rerun of one month replaces that partition only: no duplicates.
  export_marts(conn, {dir.path(), "marts", std::string("2024-01")});
  EXPECT_EQ(count(all), "300");
  EXPECT_EQ(count((dir / "gastos" / "year=2024" / "month=01" / "*.parquet").string()),
            conn.scalar("SELECT count(*) FROM marts.gastos WHERE month(mes_referencia) = 1"));
  EXPECT_FALSE(std::filesystem::exists(dir / ".tmp"));
}

TEST_F(MartExport, ErrorsSayWhatToDo) {
  EXPECT_THROW(export_marts(conn, {dir.path(), "marts", std::string("2024-1")}), Error);
  try {
    export_marts(conn, {dir.path(), "nothing_here", std::nullopt});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("build the marts first"), std::string::npos);
  }
}

}  // namespace
}  // namespace baliza::ops
