#include <gtest/gtest.h>

#include "pncp_sim/data.h"

TEST(Smoke, Builds) {
  pncp_sim::Options o;
  o.today = "20240630";
  auto r = pncp_sim::records_for(o, "/v1/contratos", "20240115", std::nullopt);
  EXPECT_GT(r.size(), 0u);
}
