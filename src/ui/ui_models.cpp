// The Models view's graph: which nodes and edges the page draws, with their server-computed
// positions (dag_layout.h) and each node's last result. A graph above kWholeGraphNodes is sent
// as an overview of groups, so the page stays fast at any size; a group, a node's neighbourhood
// and a search then reach every node.
#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "ui/ui_api.h"

namespace baliza::ui {

using nlohmann::json;

UiApi::UiApi(UiReader& reader, ProjectView project) : db_(reader), project_(std::move(project)) {
  if (project_.dag) layout_ = std::make_unique<DagLayout>(*project_.dag);
}

json UiApi::models(const ModelsQuery& query) {
  json out;
  out["nodes"] = json::array();
  out["edges"] = json::array();
  if (!layout_) return out;
  const DagLayout& layout = *layout_;
  const transform::Dag& dag = layout.dag();
  out["total_nodes"] = layout.shown_count();
  out["whole_graph_limit"] = kWholeGraphNodes;

  // Which nodes to send.
  std::vector<std::size_t> picked;
  std::set<std::size_t> context;  // neighbours shown around a group, drawn faded
  if (!query.focus.empty()) {
    auto at = dag.index_of(query.focus);
    if (!at || !layout.shown(*at)) throw usage_error("no model " + query.focus + " in the project");
    picked.push_back(*at);
    for (auto [i, d] : dag.ancestors(*at, query.depth))
      if (layout.shown(i)) picked.push_back(i);
    for (auto [i, d] : dag.descendants(*at, query.depth))
      if (layout.shown(i)) picked.push_back(i);
    out["focus"] = query.focus;
  } else if (!query.group.empty()) {
    const auto& groups = layout.groups();
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&](const LayoutGroup& x) { return x.id == query.group; });
    if (g == groups.end()) throw usage_error("no group " + query.group + " in the overview");
    picked = g->members;
    std::set<std::size_t> members(picked.begin(), picked.end());
    if (picked.size() < kWholeGraphNodes) {
      for (std::size_t i : g->members) {
        for (std::size_t p : dag.parents(i))
          if (layout.shown(p) && !members.count(p)) context.insert(p);
        for (std::size_t c : dag.children(i))
          if (layout.shown(c) && !members.count(c)) context.insert(c);
      }
    }
    if (picked.size() + context.size() > kWholeGraphNodes) context.clear();
    picked.insert(picked.end(), context.begin(), context.end());
    out["group"] = {{"id", g->id},
                    {"folder", g->folder},
                    {"depth", g->depth},
                    {"layers", g->layers},
                    {"count", g->members.size()}};
  } else if (query.all || layout.shown_count() <= kWholeGraphNodes) {
    for (std::size_t i = 0; i < dag.size(); ++i)
      if (layout.shown(i)) picked.push_back(i);
  } else {
    out["overview"] = true;
  }

  // The last result of every node.
  std::map<std::string, std::vector<std::optional<std::string>>> last;
  TextTable results = db_.query(
      "SELECT unique_id, status, rows_affected, execution_time, completed_at FROM "
      "meta.node_results QUALIFY row_number() OVER (PARTITION BY unique_id ORDER BY "
      "completed_at DESC NULLS LAST) = 1");
  for (auto& row : results.rows) last[*row[0]] = row;
  auto status_of = [&](std::size_t i) -> const std::vector<std::optional<std::string>>* {
    auto it = last.find(dag.id(i));
    return it == last.end() ? nullptr : &it->second;
  };

  if (out.value("overview", false)) {
    json groups = json::array();
    for (const LayoutGroup& g : layout.groups()) {
      std::size_t failed = 0, built = 0;
      for (std::size_t i : g.members) {
        if (const auto* r = status_of(i)) {
          ++built;
          const std::string s = (*r)[1].value_or("");
          failed += (s == "error" || s == "fail") ? 1 : 0;
        }
      }
      groups.push_back({{"id", g.id},
                        {"folder", g.folder},
                        {"depth", g.depth},
                        {"layers", g.layers},
                        {"count", g.members.size()},
                        {"built", built},
                        {"failed", failed},
                        {"x", g.x},
                        {"y", g.y}});
    }
    json edges = json::array();
    for (const auto& [from, to, count] : layout.group_edges())
      edges.push_back(json::array({layout.groups()[from].id, layout.groups()[to].id, count}));
    out["groups"] = std::move(groups);
    out["group_edges"] = std::move(edges);
    return out;
  }

  std::sort(picked.begin(), picked.end());
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
  std::vector<bool> in(dag.size(), false);
  for (std::size_t i : picked) in[i] = true;
  for (std::size_t i : picked) {
    const transform::Node& n = dag.node(i);
    json node = {{"id", n.unique_id},
                 {"name", n.name},
                 {"type", std::string(transform::to_string(n.resource_type))},
                 {"depth", layout.depth(i)},
                 {"x", layout.x(i)},
                 {"y", layout.y(i)}};
    if (context.count(i)) node["context"] = true;
    if (const auto* r = status_of(i)) {
      node["status"] = (*r)[1] ? json(*(*r)[1]) : json(nullptr);
      node["rows"] = (*r)[2] ? json(*(*r)[2]) : json(nullptr);
      node["seconds"] = (*r)[3] ? json(*(*r)[3]) : json(nullptr);
    }
    out["nodes"].push_back(std::move(node));
    for (std::size_t p : dag.parents(i))
      if (in[p]) out["edges"].push_back(json::array({dag.id(p), n.unique_id}));
  }
  return out;
}

json UiApi::search_models(const std::string& text, std::size_t limit) {
  json out = json::array();
  if (!layout_ || text.empty()) return out;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string needle = lower(text);
  const transform::Dag& dag = layout_->dag();
  std::vector<std::tuple<int, std::size_t, std::size_t>> hits;  // (rank, name length, index)
  for (std::size_t i = 0; i < dag.size(); ++i) {
    if (!layout_->shown(i)) continue;
    const std::string name = lower(dag.node(i).name);
    int rank = name == needle                                       ? 0
               : name.rfind(needle, 0) == 0                         ? 1
               : name.find(needle) != std::string::npos             ? 2
               : lower(dag.id(i)).find(needle) != std::string::npos ? 3
                                                                    : -1;
    if (rank >= 0) hits.emplace_back(rank, name.size(), i);
  }
  std::sort(hits.begin(), hits.end());
  for (std::size_t k = 0; k < hits.size() && k < limit; ++k) {
    const transform::Node& n = dag.node(std::get<2>(hits[k]));
    out.push_back({{"id", n.unique_id},
                   {"name", n.name},
                   {"type", std::string(transform::to_string(n.resource_type))}});
  }
  return out;
}

}  // namespace baliza::ui
