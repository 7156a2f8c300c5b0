// The Models view's layout of a project's DAG, computed once on the server so the browser only
// draws: a layered layout (layer = longest path from a root; order within a layer by the mean
// position of the node's parents, one top-down pass) and, for graphs too big to draw node by
// node, overview groups (the nodes of one folder in one layer, or coarser: a band of layers, a
// top folder, when that gives too many groups) with the edges between groups.
//
// Tests are left out (they hang off models; the model page lists them). Immutable after
// construction: safe to share between threads. Lifetime: keeps a pointer to the Dag.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "transform/dag.h"

namespace baliza::ui {

struct LayoutGroup {
  std::string id;      // "group:<n>"
  std::string folder;  // the members' folder ("models/staging"), or "" when grouped by layer only
  int depth = 0;       // the first layer of the group
  int layers = 1;      // how many consecutive layers it spans
  std::vector<std::size_t> members;  // dag indexes
  double x = 0, y = 0;
};

class DagLayout {
 public:
  // At most max_groups groups (unless the layers alone are more).
  explicit DagLayout(const transform::Dag& dag, std::size_t max_groups = 120);

  const transform::Dag& dag() const { return dag_; }
  bool shown(std::size_t i) const { return shown_[i]; }  // false for tests
  std::size_t shown_count() const { return shown_count_; }
  int depth(std::size_t i) const { return depth_[i]; }
  double x(std::size_t i) const { return x_[i]; }
  double y(std::size_t i) const { return y_[i]; }
  std::size_t group_of(std::size_t i) const { return group_[i]; }
  const std::vector<LayoutGroup>& groups() const { return groups_; }
  // Edges between groups: (from, to, number of node edges), sorted.
  const std::vector<std::tuple<std::size_t, std::size_t, std::size_t>>& group_edges() const {
    return group_edges_;
  }

 private:
  void build_layers();
  void build_groups(std::size_t max_groups);

  const transform::Dag& dag_;
  std::vector<bool> shown_;
  std::size_t shown_count_ = 0;
  std::vector<int> depth_;
  std::vector<double> x_, y_;
  std::vector<std::size_t> group_;
  std::vector<LayoutGroup> groups_;
  std::vector<std::tuple<std::size_t, std::size_t, std::size_t>> group_edges_;
};

}  // namespace baliza::ui
