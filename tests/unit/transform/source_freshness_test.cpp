// dbt's merge of source freshness layers (project, source, source config, table, table config).
#include <gtest/gtest.h>

#include "transform/source_freshness.h"

namespace baliza::transform {
namespace {

using nlohmann::json;

json hours(int n) {
  return {{"count", n}, {"period", "hour"}};
}

TEST(SourceFreshnessMerge, AbsentLayersChangeNothingAndTablesRefineTheSource) {
  json source = {{"warn_after", hours(1)}, {"error_after", hours(24)}};
  json table = {{"error_after", hours(48)}, {"filter", "x > 0"}};
  json merged = merge_freshness({nullptr, &source, nullptr, &table, nullptr});
  EXPECT_EQ(merged["warn_after"], hours(1));
  EXPECT_EQ(merged["error_after"], hours(48));
  EXPECT_EQ(merged["filter"], "x > 0");
  EXPECT_TRUE(has_freshness(merged));
}

TEST(SourceFreshnessMerge, NullRemovesThePolicyAndAPartialTimeKeepsTheOuterOne) {
  json source = {{"warn_after", hours(1)}};
  json off;  // freshness: null
  EXPECT_FALSE(has_freshness(merge_freshness({nullptr, &source, nullptr, &off, nullptr})));
  json partial = {{"warn_after", {{"count", 5}}}};  // no period: ignored, as dbt does
  json merged = merge_freshness({nullptr, &source, nullptr, &partial, nullptr});
  EXPECT_EQ(merged["warn_after"], hours(1));
  json no_warn = {{"warn_after", nullptr}, {"error_after", hours(3)}};
  merged = merge_freshness({nullptr, &source, nullptr, &no_warn, nullptr});
  EXPECT_TRUE(merged["warn_after"].is_null());
  EXPECT_EQ(merged["error_after"], hours(3));
  // A later layer brings a policy back after a null.
  merged = merge_freshness({&off, &source});
  EXPECT_EQ(merged["warn_after"], hours(1));
  EXPECT_FALSE(has_freshness(merge_freshness({nullptr, nullptr, nullptr})));
}

TEST(SourceFreshnessMerge, ProblemsNameTheKey) {
  EXPECT_FALSE(freshness_problem(json()).has_value());
  EXPECT_FALSE(freshness_problem({{"warn_after", hours(2)}, {"filter", "a = 1"}}).has_value());
  auto p = freshness_problem({{"warn_after", {{"count", 1}, {"period", "week"}}}});
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->find("warn_after.period"), std::string::npos) << *p;
  EXPECT_TRUE(freshness_problem({{"warn_after", {{"count", "x"}, {"period", "day"}}}}));
  EXPECT_TRUE(freshness_problem({{"stale_after", hours(1)}}));
  EXPECT_TRUE(freshness_problem("12h"));
}

}  // namespace
}  // namespace baliza::transform
