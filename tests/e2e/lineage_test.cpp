// End-to-end: `baliza lineage` as a user runs it, and the column lineage a build stores
// (lineage.columns, `lineage` per column in target/manifest.json), on the demo's database.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

class Lineage : public testing::BalizaCli {};

TEST_F(Lineage, ColumnLineageDownToTheRawFieldStoredAndPrinted) {
  auto demo = baliza("demo --mes 2024-02 --scale 0.05 -q");
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;

  auto up = baliza("--db data/demo.duckdb lineage staging.contratos.valor_global");
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(up.out,
            "staging.contratos.valor_global\n"
            "  <- DIRECT IDENTITY staging.contratos_registros.valor_global\n"
            "    <- DIRECT TRANSFORMATION raw.payloads.compressed -> data[].valorGlobal (raw page "
            "field of endpoint contratos, contratos_atualizacao)\n");

  auto down = baliza(
      "--db data/demo.duckdb lineage contratos.valor_global --downstream "
      "--depth 1 --format json");
  ASSERT_EQ(down.exit_code, 0) << down.err;
  nlohmann::json j = nlohmann::json::parse(down.out);
  bool mart = false;
  for (const auto& step : j[0]["downstream"])
    mart |= step["relation"] == "marts.contratos_mensal" && step["column"] == "valor_global" &&
            step["subtype"] == "AGGREGATION";
  EXPECT_TRUE(mart) << down.out;

  // Stored by the build: one row per (column, input).
  EXPECT_EQ(
      scalar("data/demo.duckdb",
             "select field_path || ' ' || replace(endpoints, ',', '+') || ' ' || subtype from "
             "lineage.columns "
             "where relation = 'staging.contratos_registros' and column_name = "
             "'valor_global'"),
      "data[].valorGlobal contratos+contratos_atualizacao TRANSFORMATION");
  EXPECT_EQ(scalar("data/demo.duckdb", "select count(*) from lineage.columns where not known"),
            "0");
  auto manifest = nlohmann::json::parse(testing::read_file(dir / "target" / "manifest.json"));
  const auto& col = manifest["nodes"]["model.pncp.contratos_mensal"]["columns"]["valor_global"];
  ASSERT_TRUE(col.contains("lineage")) << col.dump();
  EXPECT_EQ(col["lineage"]["inputs"][0]["relation"], "staging.contratos");
  EXPECT_EQ(col["lineage"]["inputs"][0]["subtype"], "AGGREGATION");

  // Mistakes are usage errors that say what exists.
  auto bad = baliza("--db data/demo.duckdb lineage staging.contratos.nope");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("has no column nope; its columns: request_id, endpoint"),
            std::string::npos)
      << bad.err;
  EXPECT_EQ(baliza("--db data/demo.duckdb lineage no_such_model").exit_code, 2);
}

}  // namespace
}  // namespace baliza
