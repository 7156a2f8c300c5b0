#include <gtest/gtest.h>

#include "extract/endpoint_progress.h"
#include "extract/progress.h"

namespace baliza::extract {
namespace {

TaskState task(const std::string& endpoint, std::optional<int> total_pages, int done) {
  TaskState t;
  t.claim.endpoint = endpoint;
  if (total_pages) {
    t.total = 100;
    t.total_pages = *total_pages;
  }
  for (int p = 1; p <= done; ++p) t.done.insert(p);
  return t;
}

TEST(EndpointProgress, ExpectedPagesAddKnownRemainderAndAnEstimateForUnknownTasks) {
  std::map<std::string, EndpointTotals> totals;
  totals["contratos"].tasks_done = 2;  // 2 finished tasks, 6 pages stored in all
  totals["contratos"].pages = 6;
  std::unordered_map<std::string, TaskState> active;
  active["a"] = task("contratos", 4, 1);             // 3 pages still to fetch
  active["b"] = task("contratos", std::nullopt, 0);  // page 1 not back yet
  const auto p = estimate_endpoint_progress({{"contratos", 10}, {"atas", 0}}, totals, active);
  ASSERT_EQ(p.size(), 1u) << "an endpoint without tasks has no bar";
  EXPECT_EQ(p[0].endpoint, "contratos");
  EXPECT_EQ(p[0].pages_done, 6);
  EXPECT_EQ(p[0].tasks_done, 2);
  EXPECT_EQ(p[0].tasks_total, 10);
  // Seen: 3 tasks (2 finished + 1 known) with 6 + 3 = 9 pages -> 3 per task; unknown: 1
  // claimed + 6 not claimed yet = 7 tasks -> 21 pages.
  EXPECT_EQ(p[0].pages_expected, 6 + 3 + 21);
  EXPECT_TRUE(p[0].estimated);
}

TEST(EndpointProgress, ExactOnceEveryTaskIsKnown) {
  std::map<std::string, EndpointTotals> totals;
  totals["atas"].tasks_done = 1;
  totals["atas"].pages = 2;
  std::unordered_map<std::string, TaskState> active;
  active["x"] = task("atas", 5, 2);
  const auto p = estimate_endpoint_progress({{"atas", 2}}, totals, active);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].pages_expected, 2 + 3);
  EXPECT_FALSE(p[0].estimated);
}

TEST(ProgressBars, OneBarPerEndpointAndATotalLineWithinTheWidth) {
  ProgressSnapshot s;
  s.elapsed_seconds = 10;
  s.tasks_done = 3;
  s.tasks_total = 12;
  s.rate = 0.62;
  s.throttled = 4;
  s.endpoints = {{"contratos", 50, 200, 1, 4, true},
                 {"instrumentoscobranca_inclusao", 10, 10, 2, 2, false}};
  const auto lines = ProgressDisplay::render(s, 80);
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& l : lines) EXPECT_LE(l.size(), 79u) << l;
  EXPECT_EQ(lines[0].rfind("contratos ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("50/~200"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("5.0/s"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("ETA 30s"), std::string::npos) << lines[0];  // 150 pages at 5/s
  EXPECT_NE(lines[0].find("[##"), std::string::npos) << lines[0];      // a quarter filled
  EXPECT_NE(lines[1].find("10/10"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("ETA done"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("pace 0.62 req/s | throttled 4"), std::string::npos) << lines[2];
}

}  // namespace
}  // namespace baliza::extract
