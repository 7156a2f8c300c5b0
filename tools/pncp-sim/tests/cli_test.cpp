// The pncp-sim executable: ground truth on stdout, usage errors with exit code 2.
#include <gtest/gtest.h>

#include <cstdio>

#include "pncp_sim/data.h"
#include "sim_test_support.h"

namespace {

std::string run(const std::string& args, int* exit_code) {
  std::string out;
  FILE* p = popen((std::string(PNCP_SIM_BIN) + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  *exit_code = WEXITSTATUS(status);
  return out;
}

}  // namespace

TEST(Cli, TruthPrintsTheGroundTruth) {
  int code = -1;
  std::string out = run("truth --from 2024-01-01 --to 2024-01-03 --today 20240630 --seed 5", &code);
  ASSERT_EQ(code, 0) << out;
  auto o = sim_test::test_options();
  o.seed = 5;
  EXPECT_EQ(nlohmann::json::parse(out), pncp_sim::ground_truth(o, "20240101", "20240103"));
}

TEST(Cli, BadFaultIsAUsageError) {
  int code = -1;
  std::string out = run("--fault explode truth --from 2024-01-01 --to 2024-01-01", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("unknown fault kind 'explode'"), std::string::npos) << out;
}
