// The dependency graph of a project's enabled nodes: edges parent -> child from ref(),
// source(), config depends_on, generic tests (tested node, relationships `to`), and any extra
// dependency a caller adds (e.g. a schema-qualified table found by DuckDB's parser).
//
// Node indexes follow the project's order (sorted by unique_id), so every tie-break is by
// unique_id and the same project always gives the same order.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "transform/project.h"

namespace baliza::transform {

class Dag {
 public:
  // Builds the graph. Throws one usage_error listing every unresolved ref/source (file:l:c and
  // the closest existing names), every ref to a disabled node, and any cycle (whole cycle named
  // with files). Disabled nodes, and tests of disabled nodes, are left out. `project` must
  // outlive the Dag.
  static Dag build(const Project& project);

  std::size_t size() const { return nodes_.size(); }
  std::size_t edge_count() const;
  const Node& node(std::size_t i) const { return *nodes_[i]; }
  const std::string& id(std::size_t i) const { return nodes_[i]->unique_id; }
  std::optional<std::size_t> index_of(std::string_view unique_id) const;

  // Adds `parent` -> `child` (unique_ids). Throws usage_error for an unknown id or when the edge
  // closes a cycle (the graph is left unchanged then).
  void add_dependency(std::string_view child, std::string_view parent);

  // Parents first; among ready nodes, the smallest unique_id first.
  const std::vector<std::size_t>& topological_order() const { return order_; }
  std::vector<std::string> topological_ids() const;

  const std::vector<std::size_t>& parents(std::size_t i) const { return parents_[i]; }
  const std::vector<std::size_t>& children(std::size_t i) const { return children_[i]; }
  // unique_id -> sorted unique_ids (every node has an entry, possibly empty).
  std::map<std::string, std::vector<std::string>> parent_map() const;
  std::map<std::string, std::vector<std::string>> child_map() const;

  // Nodes reachable through parents (ancestors) or children (descendants), each with its
  // distance (1 = direct). max_depth < 0 means unlimited. Sorted by index; `i` not included.
  std::vector<std::pair<std::size_t, int>> ancestors(std::size_t i, int max_depth = -1) const;
  std::vector<std::pair<std::size_t, int>> descendants(std::size_t i, int max_depth = -1) const;

 private:
  Dag() = default;
  void link(std::size_t parent, std::size_t child);
  void compute_order();  // throws on a cycle
  std::string describe_cycle(const std::vector<int>& in_degree) const;
  std::vector<std::pair<std::size_t, int>> walk(std::size_t i, int max_depth, bool up) const;

  std::vector<const Node*> nodes_;
  std::unordered_map<std::string_view, std::size_t> index_;
  std::vector<std::vector<std::size_t>> parents_;
  std::vector<std::vector<std::size_t>> children_;
  std::vector<std::size_t> order_;
};

}  // namespace baliza::transform
