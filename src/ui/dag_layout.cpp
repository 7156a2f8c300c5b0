#include "ui/dag_layout.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace baliza::ui {

namespace {

constexpr double kLayerWidth = 260;
constexpr double kRowHeight = 36;
constexpr double kGroupRowHeight = 90;

// The folder of a node's file, cut to `parts` components (0: all of them).
std::string folder_of(const transform::Node& n, std::size_t parts) {
  const std::string& path = n.original_file_path;
  std::size_t end = path.rfind('/');
  if (end == std::string::npos) return "";
  std::string dir = path.substr(0, end);
  if (parts == 0) return dir;
  std::size_t at = 0;
  for (std::size_t k = 0; k < parts; ++k) {
    at = dir.find('/', at);
    if (at == std::string::npos) return dir;
    if (k + 1 < parts) ++at;
  }
  return dir.substr(0, at);
}

}  // namespace

DagLayout::DagLayout(const transform::Dag& dag, std::size_t max_groups) : dag_(dag) {
  build_layers();
  build_groups(max_groups);
}

void DagLayout::build_layers() {
  const std::size_t n = dag_.size();
  shown_.assign(n, false);
  depth_.assign(n, 0);
  x_.assign(n, 0);
  y_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    shown_[i] = dag_.node(i).resource_type != transform::ResourceType::kTest;
    shown_count_ += shown_[i] ? 1 : 0;
  }
  int max_depth = 0;
  for (std::size_t i : dag_.topological_order()) {
    if (!shown_[i]) continue;
    for (std::size_t p : dag_.parents(i))
      if (shown_[p]) depth_[i] = std::max(depth_[i], depth_[p] + 1);
    max_depth = std::max(max_depth, depth_[i]);
  }
  std::vector<std::vector<std::size_t>> layers(static_cast<std::size_t>(max_depth) + 1);
  for (std::size_t i = 0; i < n; ++i)
    if (shown_[i]) layers[static_cast<std::size_t>(depth_[i])].push_back(i);
  // Rank within a layer: roots by folder and name, then each layer by its parents' mean rank.
  std::vector<double> rank(n, 0);
  for (std::size_t d = 0; d < layers.size(); ++d) {
    std::vector<std::tuple<double, std::string, std::size_t>> keyed;
    for (std::size_t i : layers[d]) {
      double sum = 0;
      std::size_t count = 0;
      for (std::size_t p : dag_.parents(i)) {
        if (!shown_[p]) continue;
        sum += rank[p];
        ++count;
      }
      keyed.emplace_back(count ? sum / static_cast<double>(count) : 0,
                         dag_.node(i).original_file_path + "/" + dag_.node(i).name, i);
    }
    std::sort(keyed.begin(), keyed.end());
    for (std::size_t r = 0; r < keyed.size(); ++r) {
      std::size_t i = std::get<2>(keyed[r]);
      rank[i] = static_cast<double>(r);
      x_[i] = static_cast<double>(d) * kLayerWidth;
      y_[i] = static_cast<double>(r) * kRowHeight;
    }
  }
}

void DagLayout::build_groups(std::size_t max_groups) {
  const std::size_t n = dag_.size();
  // Coarser and coarser until few enough: layers in bands of 1, 2, 4... per folder; when the
  // folders alone are too many, per top two folders, per top folder, then bands only.
  int max_depth = 0;
  for (std::size_t i = 0; i < n; ++i) max_depth = std::max(max_depth, depth_[i]);
  for (std::size_t parts : {std::size_t{0}, std::size_t{2}, std::size_t{1}, std::size_t{99}}) {
    for (int band = 1;; band *= 2) {
      std::map<std::pair<int, std::string>, std::size_t> index;  // (band, folder) -> group
      groups_.clear();
      group_.assign(n, 0);
      for (std::size_t i = 0; i < n; ++i) {
        if (!shown_[i]) continue;
        std::string folder = parts == 99 ? "" : folder_of(dag_.node(i), parts);
        auto [it, added] = index.try_emplace({depth_[i] / band, folder}, groups_.size());
        if (added) groups_.push_back({"", folder, depth_[i] / band * band, band, {}, 0, 0});
        group_[i] = it->second;
        groups_[it->second].members.push_back(i);
      }
      if (groups_.size() <= max_groups || band > max_depth) break;
    }
    if (groups_.size() <= max_groups) break;
  }
  // Positions: layer by depth, groups of a layer in folder order.
  std::vector<std::size_t> order(groups_.size());
  for (std::size_t g = 0; g < order.size(); ++g) order[g] = g;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(groups_[a].depth, groups_[a].folder) <
           std::tie(groups_[b].depth, groups_[b].folder);
  });
  std::map<int, int> used;
  std::vector<std::size_t> renumber(groups_.size());
  std::vector<LayoutGroup> sorted;
  for (std::size_t g : order) {
    renumber[g] = sorted.size();
    LayoutGroup group = std::move(groups_[g]);
    group.id = "group:" + std::to_string(sorted.size());
    group.x = group.depth / group.layers * kLayerWidth;
    group.y = used[group.depth]++ * kGroupRowHeight;
    sorted.push_back(std::move(group));
  }
  groups_ = std::move(sorted);
  for (std::size_t i = 0; i < n; ++i)
    if (shown_[i]) group_[i] = renumber[group_[i]];
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> edges;
  for (std::size_t i = 0; i < n; ++i) {
    if (!shown_[i]) continue;
    for (std::size_t p : dag_.parents(i))
      if (shown_[p] && group_[p] != group_[i]) ++edges[{group_[p], group_[i]}];
  }
  for (const auto& [key, count] : edges) group_edges_.emplace_back(key.first, key.second, count);
}

}  // namespace baliza::ui
