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

  // The layers are what the folder config says they are.
  Selection marts = select_nodes(project, dag, {{"tag:marts,resource_type:model"}, {}, nullptr});
  EXPECT_EQ(marts.indexes.size(), 500u);
  Selection ephemeral =
      select_nodes(project, dag, {{"config.materialized:ephemeral"}, {}, nullptr});
  EXPECT_EQ(ephemeral.indexes.size(), 1000u);
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
