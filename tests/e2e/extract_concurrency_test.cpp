// End-to-end: the `extract.concurrency` setting (baliza.yml, BALIZA_EXTRACT__CONCURRENCY,
// --set) is what `baliza extract` and `baliza run` really keep in flight, and their
// --concurrency wins over it. The simulator (in this process, on loopback) answers every
// contratos request after 60 ms, so requests overlap, and counts the most it handled at once.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pncp_sim/options.h"
#include "pncp_sim/simulator.h"
#include "support/baliza_cli.h"

namespace baliza {
namespace {

namespace fs = std::filesystem;

class ExtractConcurrency : public testing::BalizaCli {
 protected:
  void SetUp() override {
    pncp_sim::Options o;
    o.today = "20240320";
    o.volume.contratos_per_day = 8;
    o.faults = {pncp_sim::parse_fault("slow:rate=1,delay_ms=60,endpoint=/v1/contratos")};
    sim = std::make_unique<pncp_sim::Simulator>(o);
    sim->start();
    // endpoints.yaml's own default is 1 request in flight, and no rate limit to speak of. Pages
    // of 10 records (about 8 a day) and windows of one page: `run`'s volume probe
    // (ops/volume_probe.h) then plans a task a day, as `extract` does without history.
    std::ofstream(dir / "endpoints.yaml") << R"(defaults:
  concurrency: 1
  window_target_pages: 1
  rate_limit: {requests_per_second: 2000, burst: 50}
  retry: {max_attempts: 4, base_backoff_ms: 5, max_backoff_ms: 50}
endpoints:
  - name: contratos
    page_size: 10
)";
  }
  void TearDown() override { sim->stop(); }

  // Extracts contratos of 2024-03-01..06 into a new database; the most requests
  // the simulator saw at once.
  int most_in_flight(const std::string& env, const std::string& args) {
    sim->reset_stats();
    std::string db = "data/c" + std::to_string(++runs) + ".duckdb";
    auto r = testing::run_command("env -u BALIZA_DB -u BALIZA_EXTRACT__CONCURRENCY " + env + " " +
                                      BALIZA_BIN + " --db " + db + " " + args +
                                      " --range 2024-03-01:2024-03-06 --endpoint contratos "
                                      "--base-url " +
                                      sim->base_url() + " -q",
                                  dir.path());
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.out << r.err;
    EXPECT_EQ(scalar(db, "select count(*) from planning.task_plan where status <> 'done'"), "0")
        << args;
    return sim->stats().max_in_flight;
  }

  std::unique_ptr<pncp_sim::Simulator> sim;
  int runs = 0;
};

TEST_F(ExtractConcurrency, TheSettingIsWhatExtractKeepsInFlightAndTheFlagWins) {
  EXPECT_EQ(most_in_flight("", "extract"), 1);  // endpoints.yaml's default
  EXPECT_EQ(most_in_flight("BALIZA_EXTRACT__CONCURRENCY=3", "extract"), 3);
  EXPECT_EQ(most_in_flight("BALIZA_EXTRACT__CONCURRENCY=3", "--set extract.concurrency=5 extract"),
            5);
  EXPECT_EQ(most_in_flight("BALIZA_EXTRACT__CONCURRENCY=3", "extract --concurrency 2"), 2);
  std::ofstream(dir / "baliza.yml") << "extract:\n  concurrency: 4\n";
  EXPECT_EQ(most_in_flight("", "extract"), 4);
  fs::remove(dir / "baliza.yml");
}

TEST_F(ExtractConcurrency, RunTakesTheSettingToo) {
  EXPECT_EQ(most_in_flight("BALIZA_EXTRACT__CONCURRENCY=3", "run"), 3);
}

}  // namespace
}  // namespace baliza
