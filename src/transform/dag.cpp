#include "transform/dag.h"

#include <algorithm>
#include <functional>
#include <queue>

#include "core/error.h"
#include "transform/text_util.h"

namespace baliza::transform {
namespace {

// Resolves refs and sources of the enabled nodes, collecting every problem before throwing.
class Resolver {
 public:
  explicit Resolver(const Project& p) : p_(p) {
    for (const Node& n : p.nodes) {
      if (n.resource_type == ResourceType::kModel || n.resource_type == ResourceType::kSeed) {
        ref_names_.push_back(n.name);
      } else if (n.resource_type == ResourceType::kSource) {
        source_names_.push_back(n.source_name + "." + n.name);
      }
    }
  }

  const Node* ref(const Node& from, const TemplateRef& r) {
    if (!r.package.empty() && r.package != p_.name()) {
      problem(from, r.pos,
              "ref('" + r.package + "', '" + r.name + "') names package '" + r.package + "'",
              "; only this project ('" + p_.name() + "') can be referenced");
      return nullptr;
    }
    const Node* target = p_.find_ref(r.name);
    if (target == nullptr) {
      std::string hint = did_you_mean(r.name, ref_names_);
      problem(from, r.pos, "ref('" + r.name + "') does not match any model or seed",
              hint.empty() ? "; check the name or add models/" + r.name + ".sql" : hint);
      return nullptr;
    }
    return enabled(from, r.pos, *target);
  }

  const Node* source(const Node& from, const TemplateSource& s) {
    const Node* target = p_.find_source(s.source_name, s.table_name);
    if (target == nullptr) {
      std::string hint = did_you_mean(s.source_name + "." + s.table_name, source_names_);
      problem(from, s.pos, "source('" + s.source_name + "', '" + s.table_name + "') is not defined",
              hint.empty() ? "; declare it under 'sources:' in a .yml file" : hint);
      return nullptr;
    }
    return enabled(from, s.pos, *target);
  }

  void throw_if_any() const {
    if (problems_.empty()) return;
    std::string message = problems_.size() == 1
                              ? problems_[0]
                              : std::to_string(problems_.size()) + " unresolved dependencies:\n" +
                                    join(problems_, "\n");
    throw usage_error(message);
  }

 private:
  const Node* enabled(const Node& from, SourcePos pos, const Node& target) {
    if (target.config.enabled) return &target;
    problem(from, pos,
            std::string(to_string(target.resource_type)) + " '" + target.name +
                "' is disabled (enabled: false)",
            "; enable it or remove this dependency");
    return nullptr;
  }

  void problem(const Node& from, SourcePos pos, const std::string& what, const std::string& hint) {
    // Dependencies from yml (tests, depends_on) point into the yml file.
    const std::string& file = (pos.line == 0 || from.is_generic_test) && !from.patch_path.empty()
                                  ? from.patch_path
                                  : from.original_file_path;
    problems_.push_back(what + " at " + format_pos(file, pos) + hint);
  }

  const Project& p_;
  std::vector<std::string> ref_names_;
  std::vector<std::string> source_names_;
  std::vector<std::string> problems_;
};

// A test whose tested node is disabled is disabled too, as in dbt.
bool included(const Project& p, const Node& n) {
  if (!n.config.enabled) return false;
  if (n.is_generic_test) {
    const Node* attached = p.find(n.attached_node);
    return attached != nullptr && attached->config.enabled;
  }
  return true;
}

}  // namespace

Dag Dag::build(const Project& project) {
  Dag dag;
  dag.nodes_.reserve(project.nodes.size());
  for (const Node& n : project.nodes) {
    if (!included(project, n)) continue;
    dag.index_.emplace(n.unique_id, dag.nodes_.size());
    dag.nodes_.push_back(&n);
  }
  dag.parents_.resize(dag.nodes_.size());
  dag.children_.resize(dag.nodes_.size());
  Resolver resolver(project);
  for (std::size_t i = 0; i < dag.nodes_.size(); ++i) {
    const Node& n = *dag.nodes_[i];
    for (const TemplateRef& r : n.refs) {
      if (const Node* target = resolver.ref(n, r)) dag.link(*dag.index_of(target->unique_id), i);
    }
    for (const TemplateSource& s : n.sources) {
      if (const Node* target = resolver.source(n, s)) dag.link(*dag.index_of(target->unique_id), i);
    }
  }
  resolver.throw_if_any();
  dag.compute_order();
  return dag;
}

void Dag::link(std::size_t parent, std::size_t child) {
  auto& ps = parents_[child];
  auto it = std::lower_bound(ps.begin(), ps.end(), parent);
  if (it != ps.end() && *it == parent) return;
  ps.insert(it, parent);
  auto& cs = children_[parent];
  cs.insert(std::lower_bound(cs.begin(), cs.end(), child), child);
}

std::size_t Dag::edge_count() const {
  std::size_t total = 0;
  for (const auto& ps : parents_) total += ps.size();
  return total;
}

std::optional<std::size_t> Dag::index_of(std::string_view unique_id) const {
  auto it = index_.find(unique_id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void Dag::add_dependency(std::string_view child, std::string_view parent) {
  auto c = index_of(child);
  auto p = index_of(parent);
  if (!c || !p) {
    throw usage_error("cannot add dependency " + std::string(parent) + " -> " + std::string(child) +
                      ": " + std::string(!c ? child : parent) + " is not an enabled node");
  }
  if (std::binary_search(parents_[*c].begin(), parents_[*c].end(), *p)) return;
  link(*p, *c);
  try {
    compute_order();
  } catch (const Error&) {
    auto& ps = parents_[*c];
    ps.erase(std::lower_bound(ps.begin(), ps.end(), *p));
    auto& cs = children_[*p];
    cs.erase(std::lower_bound(cs.begin(), cs.end(), *c));
    compute_order();
    throw;
  }
}

void Dag::compute_order() {
  // Kahn's algorithm; a min-heap of indexes breaks ties by unique_id.
  std::vector<int> in_degree(nodes_.size());
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    in_degree[i] = static_cast<int>(parents_[i].size());
    if (in_degree[i] == 0) ready.push(i);
  }
  std::vector<std::size_t> order;
  order.reserve(nodes_.size());
  while (!ready.empty()) {
    std::size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (std::size_t c : children_[i]) {
      if (--in_degree[c] == 0) ready.push(c);
    }
  }
  if (order.size() != nodes_.size()) throw usage_error(describe_cycle(in_degree));
  order_ = std::move(order);
}

std::string Dag::describe_cycle(const std::vector<int>& in_degree) const {
  // Every node left with in_degree > 0 has a parent also left: walking parents must loop.
  std::size_t start = 0;
  while (in_degree[start] == 0) ++start;
  std::vector<std::size_t> path;
  std::vector<int> seen_at(nodes_.size(), -1);
  std::size_t at = start;
  while (seen_at[at] < 0) {
    seen_at[at] = static_cast<int>(path.size());
    path.push_back(at);
    for (std::size_t p : parents_[at]) {
      if (in_degree[p] > 0) {
        at = p;
        break;
      }
    }
  }
  std::vector<std::size_t> cycle(path.begin() + seen_at[at], path.end());
  std::reverse(cycle.begin(), cycle.end());  // parent -> child, the direction data flows
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  std::string names, files;
  for (std::size_t i : cycle) {
    names += nodes_[i]->name + " -> ";
    files += (files.empty() ? "" : ", ") + nodes_[i]->name + ": " + nodes_[i]->original_file_path;
  }
  return "dependency cycle: " + names + nodes_[cycle[0]]->name + " (" + files +
         "); remove one of these refs to break it";
}

std::vector<std::string> Dag::topological_ids() const {
  std::vector<std::string> out;
  out.reserve(order_.size());
  for (std::size_t i : order_) out.push_back(nodes_[i]->unique_id);
  return out;
}

std::map<std::string, std::vector<std::string>> Dag::parent_map() const {
  std::map<std::string, std::vector<std::string>> out;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    auto& list = out[nodes_[i]->unique_id];
    for (std::size_t p : parents_[i]) list.push_back(nodes_[p]->unique_id);
  }
  return out;
}

std::map<std::string, std::vector<std::string>> Dag::child_map() const {
  std::map<std::string, std::vector<std::string>> out;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    auto& list = out[nodes_[i]->unique_id];
    for (std::size_t c : children_[i]) list.push_back(nodes_[c]->unique_id);
  }
  return out;
}

std::vector<std::pair<std::size_t, int>> Dag::walk(std::size_t start, int max_depth,
                                                   bool up) const {
  std::vector<int> depth(nodes_.size(), -1);
  std::vector<std::size_t> frontier{start};
  depth[start] = 0;
  std::vector<std::pair<std::size_t, int>> out;
  for (int d = 1; !frontier.empty() && (max_depth < 0 || d <= max_depth); ++d) {
    std::vector<std::size_t> next;
    for (std::size_t i : frontier) {
      for (std::size_t j : up ? parents_[i] : children_[i]) {
        if (depth[j] >= 0) continue;
        depth[j] = d;
        out.emplace_back(j, d);
        next.push_back(j);
      }
    }
    frontier = std::move(next);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::size_t, int>> Dag::ancestors(std::size_t i, int max_depth) const {
  return walk(i, max_depth, true);
}

std::vector<std::pair<std::size_t, int>> Dag::descendants(std::size_t i, int max_depth) const {
  return walk(i, max_depth, false);
}

}  // namespace baliza::transform
