// End-to-end: the whole pipeline as a user runs it, offline against the built-in simulator:
// `baliza demo` (plan -> extract -> transform -> tests -> accounting), a rerun that changes no
// counts, and `baliza export` to Parquet that DuckDB reads back.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

class Pipeline : public testing::BalizaCli {
 protected:
  std::string scalar(const std::string& sql) { return BalizaCli::scalar("data/demo.duckdb", sql); }
};

TEST_F(Pipeline, DemoBuildsBalancedMartsRerunsIdempotentlyAndExports) {
  auto first = baliza("demo --mes 2024-02 --scale 0.2 -q");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("record accounting"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("ERROR=0 SKIP=0"), std::string::npos) << first.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "data" / "demo.duckdb"));
  EXPECT_FALSE(std::filesystem::exists(dir / "data" / "baliza.duckdb"));  // user's db untouched

  // Every raw record is accounted for, and the marts hold the month.
  // Every model's ledger balances (meta.model_accounting, one row per model and run), the staging
  // ones from the raw pages' records, and no model fell through as "not accounted".
  EXPECT_EQ(scalar("select count(distinct run_id) || '/' || bool_and(status = 'balanced') || '/' "
                   "|| count(*) filter (where model like '%_registros' and input_rows > 0) "
                   "from meta.model_accounting"),
            "1/true/7");
  // Updates in February may touch purchases published earlier; February itself must be there.
  EXPECT_EQ(scalar("select count(*) > 0 from marts.contratacoes_mensal where mes = '2024-02-01'"),
            "true");
  EXPECT_EQ(scalar("select count(*) from planning.task_plan where status not in ('done')"), "0");
  std::string pages = scalar("select count(*) from raw.api_requests");
  std::string staging = scalar(
      "select (select count(*) from staging.contratos) || '/' || "
      "(select count(*) from staging.contratacoes)");
  std::string sums = scalar(
      "select sum(valor_total_estimado) from marts.contratacoes_mensal where mes = '2024-02-01'");

  // A rerun fetches nothing new and changes no counts: no duplicates.
  auto second = baliza("demo --mes 2024-02 --scale 0.2 -q");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(scalar("select count(*) from raw.api_requests"), pages);
  EXPECT_EQ(scalar("select count(distinct run_id) || '/' || (count(*) = 2 * count(distinct model)) "
                   "from meta.model_accounting"),
            "2/true");
  EXPECT_EQ(scalar("select (select count(*) from staging.contratos) || '/' || "
                   "(select count(*) from staging.contratacoes)"),
            staging);
  EXPECT_EQ(scalar("select sum(valor_total_estimado) from marts.contratacoes_mensal "
                   "where mes = '2024-02-01'"),
            sums);

  // Export: month partitions that any Parquet reader (here DuckDB) reads back with the same sum.
  auto exported = baliza("--db data/demo.duckdb export --mes 2024-02");
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto part = dir / "data" / "exports" / "contratacoes_mensal" / "year=2024" / "month=02";
  ASSERT_TRUE(std::filesystem::exists(part)) << exported.out;
  EXPECT_EQ(scalar("select sum(valor_total_estimado) from read_parquet('" + part.string() +
                   "/*.parquet')"),
            sums);
}

TEST_F(Pipeline, DemoWithEndpointsFetchesOnlyThose) {
  auto r =
      baliza("demo --mes 2024-02 --scale 0.05 --endpoint contratos --endpoint atas_atualizacao -q");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // Only the two endpoints were planned and fetched: no other endpoint, no items or results round.
  EXPECT_EQ(scalar("select string_agg(endpoint_name, '+' order by endpoint_name) from (select "
                   "distinct endpoint_name "
                   "from planning.task_plan)"),
            "atas_atualizacao+contratos");
  EXPECT_EQ(scalar("select count(*) > 0 from staging.contratos"), "true");
  EXPECT_EQ(scalar("select count(*) from staging.contratacoes"), "0");

  auto bad = baliza("demo --mes 2024-02 --scale 0.05 --endpoint contrato -q");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE((bad.out + bad.err).find("contrato"), std::string::npos) << bad.out << bad.err;
}

TEST_F(Pipeline, DryRunPlansNothingAndWritesNothing) {
  auto r = baliza("dry-run --mes 2024-01 --endpoint contratos");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Without history, one task per day of January, at least one request each; nothing created
  // on disk.
  EXPECT_NE(r.out.find("contratos                           31      0 >=      31"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("31 no history (>= 1 each) tasks"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nothing was fetched or written"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "data"));
}

TEST_F(Pipeline, InitProjectWritesTheBuiltInProjectOnce) {
  auto first = baliza("init --project pncp");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "endpoints.yaml"));
  EXPECT_TRUE(std::filesystem::exists(dir / "models" / "staging" / "contratos.sql"));
  // The written project is the one commands now use, and it is valid.
  auto ls = baliza("ls -s staging.contratos");
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("pncp.staging.contratos"), std::string::npos) << ls.out;
  auto again = baliza("init --project pncp");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("would overwrite"), std::string::npos) << again.err;
}

TEST_F(Pipeline, ACustomisedProjectIsTheOneTheRunUses) {
  // `init --project pncp` writes the project out; a model added to it is built by the pipeline
  // run from that folder (like `transform`, run and demo use the nearest baliza.yml + models/).
  ASSERT_EQ(baliza("init --project pncp -q").exit_code, 0);
  std::ofstream(dir / "models" / "marts" / "minha_contagem.sql")
      << "select count(*) as n from {{ ref('contratos') }}\n";
  auto r = baliza("demo --mes 2024-02 --scale 0.2");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("project: " + dir.str()), std::string::npos) << r.out << r.err;
  EXPECT_EQ(scalar("select n = (select count(*) from staging.contratos) and n > 0 "
                   "from marts.minha_contagem"),
            "true");
}

TEST_F(Pipeline, RunWithoutAPeriodIsAUsageError) {
  auto r = baliza("run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--mes 2024-01"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace baliza
