// End-to-end: windows planned by volume as a user sees them. A month after a demo month is
// planned from its history; `dry-run` announces the requests, the run (`demo`) prints the same
// summary when it starts and makes that many requests; afterwards nothing is left to fetch.
#include <gtest/gtest.h>

#include <regex>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

class VolumeWindowsCli : public testing::BalizaCli {};

// The figure of the "total" line of a request summary ("~91", ">=465" or "0"); -1 if absent.
long long announced_total(const std::string& text) {
  std::smatch m;
  static const std::regex total(R"(\n  total +(~|>=)? *(\d+) )");
  return std::regex_search(text, m, total) ? std::stoll(m[2]) : -1;
}

TEST_F(VolumeWindowsCli, DryRunAnnouncesWhatTheRunMakes) {
  ASSERT_EQ(baliza("demo --mes 2024-02 --scale 0.5 -q").exit_code, 0);
  auto dry = baliza("--db data/demo.duckdb dry-run --mes 2024-03");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  // February observed every modalidade: March asks each once or in a few windows, estimated.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      dry.out, m, std::regex(R"(contratacoes_publicacao +(\d+) +0 +~ +(\d+) .* estimated tasks)")))
      << dry.out;
  EXPECT_LT(std::stoll(m[1]), 31 * 14 / 4) << dry.out;
  EXPECT_EQ(dry.out.find("no history"), std::string::npos) << dry.out;
  const long long announced = announced_total(dry.out);
  ASSERT_GT(announced, 0) << dry.out;

  auto run = baliza("demo --mes 2024-03 --scale 0.5 -q");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.err.find("requests the plan needs"), std::string::npos) << run.err;
  EXPECT_EQ(announced_total(run.err), announced) << run.err;
  // Requests made for the date-planned endpoints the summary covers (the items and results
  // rounds that follow are planned from SQL afterwards): pages asked + closing reads.
  const std::string march =
      "join planning.task_plan t using (task_id) where t.data_date >= '2024-03-01' and "
      "t.endpoint_name in ('contratacoes_publicacao', 'contratacoes_atualizacao', 'contratos', "
      "'contratos_atualizacao', 'atas_atualizacao', 'pca_atualizacao', "
      "'instrumentoscobranca_inclusao')";
  const long long made =
      std::stoll(scalar("data/demo.duckdb", "select (select count(*) from raw.api_requests " +
                                                march + ") + (select count(*) from " +
                                                "meta.completeness_checks " + march + ")"));
  EXPECT_NEAR(static_cast<double>(made), static_cast<double>(announced), 0.15 * announced)
      << announced << " announced, " << made << " made";

  // A second dry-run: every task done, nothing to fetch.
  auto after = baliza("--db data/demo.duckdb dry-run --mes 2024-03");
  EXPECT_EQ(announced_total(after.out), 0) << after.out;
  EXPECT_NE(after.out.find("nothing to fetch"), std::string::npos) << after.out;
}

}  // namespace
}  // namespace baliza
