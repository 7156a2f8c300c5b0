#include "transform/synthetic_project.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "transform/dag.h"
#include "transform/selector.h"

namespace baliza::transform {
namespace {

TEST(SyntheticProject, TwoThousandModelsLoadIntoTheExpectedDag) {
  baliza::testing::TempDir dir;
  SyntheticProjectOptions options;
  options.models = 2000;
  SyntheticProjectStats stats = write_synthetic_project(dir.path(), options);
  EXPECT_EQ(stats.models, 2000u);

  Project project = load_project(dir.path());
  EXPECT_TRUE(project.warnings.empty());
  Dag dag = Dag::build(project);
  EXPECT_EQ(dag.size(), stats.models + stats.sources + stats.tests);
  EXPECT_EQ(dag.edge_count(), stats.edges);
  EXPECT_EQ(dag.topological_order().size(), dag.size());

  // The layers and materializations are what the folder config and config() calls say.
  EXPECT_EQ(stats.staging + stats.intermediate + stats.marts, stats.models);
  EXPECT_EQ(stats.views + stats.tables + stats.incremental + stats.ephemeral, stats.models);
  auto count = [&](const std::string& selector) {
    return select_nodes(project, dag, {{selector}, {}, nullptr}).indexes.size();
  };
  EXPECT_EQ(count("tag:marts,resource_type:model"), stats.marts);
  EXPECT_EQ(count("path:models/intermediate,resource_type:model"), stats.intermediate);
  EXPECT_EQ(count("config.materialized:ephemeral"), stats.ephemeral);
  EXPECT_EQ(count("config.materialized:incremental"), stats.incremental);
  EXPECT_EQ(count("config.materialized:table"), stats.tables);
  EXPECT_EQ(count("config.materialized:view,resource_type:model"), stats.views);
  // Mostly views and tables, a few ephemerals (one intermediate in options.ephemeral_every).
  EXPECT_GT(stats.ephemeral, 0u);
  EXPECT_EQ(stats.ephemeral,
            (stats.intermediate + options.ephemeral_every - 1) / options.ephemeral_every);
}

TEST(SyntheticProject, SameSeedSameProject) {
  baliza::testing::TempDir a, b;
  SyntheticProjectOptions options;
  options.models = 100;
  write_synthetic_project(a.path(), options);
  write_synthetic_project(b.path(), options);
  Project pa = load_project(a.path());
  Project pb = load_project(b.path());
  ASSERT_EQ(pa.nodes.size(), pb.nodes.size());
  for (std::size_t i = 0; i < pa.nodes.size(); ++i) {
    EXPECT_EQ(pa.nodes[i].checksum, pb.nodes[i].checksum) << pa.nodes[i].unique_id;
  }
}

}  // namespace
}  // namespace baliza::transform
