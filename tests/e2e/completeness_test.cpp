// End-to-end: a page that stays short whatever Baliza does is not hidden. `baliza extract`
// against a simulator (in this process, on loopback) that always cuts 2 records from every
// contratos page exits 1, the task is partial, meta.failed_requests says how many records are
// missing, and `baliza recovery-status` shows the count.
#include <gtest/gtest.h>

#include <string>

#include "pncp_sim/options.h"
#include "pncp_sim/simulator.h"
#include "support/baliza_cli.h"

namespace baliza {
namespace {

class Completeness : public testing::BalizaCli {};

TEST_F(Completeness, AStillShortPageMakesTheRunExit1AndSaysWhatIsMissing) {
  pncp_sim::Options o;
  o.today = "20240320";
  o.volume.contratos_per_day = 30;
  o.faults = {pncp_sim::parse_fault("short:rate=1,count=2,endpoint=/v1/contratos")};
  pncp_sim::Simulator sim(o);
  sim.start();

  auto run = baliza("--db data/c.duckdb extract --dia 2024-03-05 --base-url " + sim.base_url() +
                    " --endpoint contratos -q");
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(scalar("data/c.duckdb", "select status from planning.task_plan"), "partial");
  EXPECT_EQ(scalar("data/c.duckdb",
                   "select count(*) from meta.failed_requests where error_class = 'short_page' "
                   "and error_message like '%2 records missing%' and resolved_at is null"),
            "1");
  auto status = baliza("--db data/c.duckdb recovery-status 2024-03");
  EXPECT_EQ(status.exit_code, 1) << status.err;  // work is left
  EXPECT_NE(status.out.find("2 records missing"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace baliza
