// The Models view's server-side layout (ui/dag_layout.h) on a synthetic 3,000-model project:
// layers follow the edges, every drawn node has its own position, the overview's groups cover
// every node exactly once, stay under the cap, and their edges add up to the node edges they
// stand for.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "support/temp_dir.h"
#include "transform/dag.h"
#include "transform/project.h"
#include "transform/synthetic_project.h"
#include "ui/dag_layout.h"

namespace baliza::ui {
namespace {

class DagLayoutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    transform::write_synthetic_project(dir_->path(), {.models = 3000});
    project_ = new transform::Project(transform::load_project(dir_->path()));
    dag_ = new transform::Dag(transform::Dag::build(*project_));
  }
  static void TearDownTestSuite() {
    delete dag_;
    delete project_;
    delete dir_;
  }
  static testing::TempDir* dir_;
  static transform::Project* project_;
  static transform::Dag* dag_;
};

testing::TempDir* DagLayoutTest::dir_ = nullptr;
transform::Project* DagLayoutTest::project_ = nullptr;
transform::Dag* DagLayoutTest::dag_ = nullptr;

TEST_F(DagLayoutTest, LayersFollowEdgesAndPositionsAreDistinct) {
  DagLayout layout(*dag_);
  std::size_t shown = 0, tests = 0;
  std::set<std::pair<double, double>> positions;
  for (std::size_t i = 0; i < dag_->size(); ++i) {
    if (dag_->node(i).resource_type == transform::ResourceType::kTest) {
      EXPECT_FALSE(layout.shown(i));
      ++tests;
      continue;
    }
    ASSERT_TRUE(layout.shown(i));
    ++shown;
    positions.insert({layout.x(i), layout.y(i)});
    for (std::size_t p : dag_->parents(i)) {
      if (!layout.shown(p)) continue;
      EXPECT_LT(layout.depth(p), layout.depth(i)) << dag_->id(p) << " -> " << dag_->id(i);
      EXPECT_LT(layout.x(p), layout.x(i));
    }
  }
  EXPECT_GT(tests, 0u);
  EXPECT_EQ(layout.shown_count(), shown);
  EXPECT_EQ(positions.size(), shown) << "two nodes share a position";
}

TEST_F(DagLayoutTest, GroupsCoverEveryNodeOnceAndTheirEdgesAddUp) {
  for (std::size_t cap : {std::size_t{120}, std::size_t{30}, std::size_t{5000}}) {
    DagLayout layout(*dag_, cap);
    const auto& groups = layout.groups();
    std::size_t layers = 0;
    for (std::size_t i = 0; i < dag_->size(); ++i)
      if (layout.shown(i)) layers = std::max<std::size_t>(layers, layout.depth(i) + 1);
    EXPECT_LE(groups.size(), std::max(cap, layers)) << "cap " << cap;
    std::map<std::size_t, int> seen;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      EXPECT_EQ(groups[g].id, "group:" + std::to_string(g));
      for (std::size_t i : groups[g].members) {
        ++seen[i];
        EXPECT_EQ(layout.group_of(i), g);
        EXPECT_GE(layout.depth(i), groups[g].depth);
        EXPECT_LT(layout.depth(i), groups[g].depth + groups[g].layers);
      }
    }
    EXPECT_EQ(seen.size(), layout.shown_count());
    for (const auto& [i, times] : seen) EXPECT_EQ(times, 1) << dag_->id(i);
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> expected;
    for (std::size_t i = 0; i < dag_->size(); ++i) {
      if (!layout.shown(i)) continue;
      for (std::size_t p : dag_->parents(i))
        if (layout.shown(p) && layout.group_of(p) != layout.group_of(i))
          ++expected[{layout.group_of(p), layout.group_of(i)}];
    }
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> got;
    for (const auto& [from, to, count] : layout.group_edges()) got[{from, to}] = count;
    EXPECT_EQ(got, expected) << "cap " << cap;
  }
  // With room for them, groups are one folder in one layer.
  DagLayout fine(*dag_, 100000);
  for (const LayoutGroup& g : fine.groups()) {
    EXPECT_EQ(g.layers, 1);
    EXPECT_EQ(g.folder.rfind("models/", 0), 0u) << g.folder;
  }
}

}  // namespace
}  // namespace baliza::ui
