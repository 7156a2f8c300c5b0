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

// The requests of one endpoint's row; -1 if absent.
long long announced_row(const std::string& text, const std::string& endpoint) {
  std::smatch m;
  const std::regex row("\n  " + endpoint + R"( +\d+ +\d+ +(~|>=)? *(\d+) )");
  return std::regex_search(text, m, row) ? std::stoll(m[2]) : -1;
}

const char* const kDateEndpoints[] = {
    "contratacoes_publicacao",      "contratacoes_atualizacao", "contratos",
    "contratos_atualizacao",        "atas_atualizacao",         "pca_atualizacao",
    "instrumentoscobranca_inclusao"};

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
  const long long total = announced_total(dry.out);
  long long announced = 0;  // of the date-planned endpoints
  for (const char* e : kDateEndpoints) announced += std::max(0LL, announced_row(dry.out, e));
  ASSERT_GT(announced, 0) << dry.out;
  // Items and results are planned from what the date-planned round stages: not known yet,
  // said so, and estimated from February's history.
  EXPECT_NE(dry.out.find("unknown until it has run"), std::string::npos) << dry.out;
  const long long items_announced = announced_row(dry.out, "itens_compra");
  ASSERT_GT(items_announced, 0) << dry.out;
  EXPECT_GT(total, announced + items_announced - 1) << dry.out;

  const auto items_requests = [&] {
    return std::stoll(scalar("data/demo.duckdb",
                             "select (select count(*) from raw.api_requests where endpoint = "
                             "'itens_compra') + (select count(*) from meta.completeness_checks "
                             "where endpoint = 'itens_compra')"));
  };
  const long long items_before = items_requests();
  auto run = baliza("demo --mes 2024-03 --scale 0.5 -q");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.err.find("requests the plan needs"), std::string::npos) << run.err;
  EXPECT_EQ(announced_total(run.err), total) << run.err;
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
  // The items' estimate (February's tasks per day x requests per task) against what the run
  // made for March's items: the same order of magnitude (March is busier than February).
  const long long items_made = items_requests() - items_before;
  EXPECT_NEAR(static_cast<double>(items_made), static_cast<double>(items_announced),
              0.5 * items_announced)
      << items_announced << " announced for the items, " << items_made << " made\n"
      << dry.out;

  // A second dry-run: every task done, nothing to fetch.
  auto after = baliza("--db data/demo.duckdb dry-run --mes 2024-03");
  EXPECT_EQ(announced_total(after.out), 0) << after.out;
  EXPECT_NE(after.out.find("nothing to fetch"), std::string::npos) << after.out;
}

}  // namespace
}  // namespace baliza
