#include "ops/seed_order.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "transform/text_util.h"

namespace baliza::ops {
using transform::Dag;
using transform::ResourceType;

std::vector<SeedEdge> seed_edges(const Dag& dag, const std::vector<std::size_t>& seeds,
                                 const std::map<std::string, std::vector<std::string>>& declared,
                                 const std::string& where) {
  std::set<std::size_t> in(seeds.begin(), seeds.end());
  std::map<std::string, std::size_t> by_name;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < dag.size(); ++i) {
    if (dag.node(i).resource_type != ResourceType::kSeed) continue;
    by_name[dag.node(i).name] = i;
    names.push_back(dag.node(i).name);
  }
  auto seed_named = [&](const std::string& name) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      throw usage_error(where + ": depends_on names '" + name + "', which is not a seed" +
                        transform::did_you_mean(name, names) +
                        "; the project's seeds: " + transform::join(names, ", "));
    }
    return it->second;
  };
  std::vector<SeedEdge> edges;
  for (const auto& [seed, befores] : declared) {
    std::size_t s = seed_named(seed);
    for (const std::string& b : befores)
      edges.push_back({s, seed_named(b), "declared at " + where});
  }
  // relationships tests: the tested seed after every other seed the test reads (its `to`).
  for (std::size_t t = 0; t < dag.size(); ++t) {
    const transform::Node& test = dag.node(t);
    if (test.resource_type != ResourceType::kTest || !test.is_generic_test) continue;
    const std::string& kind = test.test_metadata.test_name;
    if (kind != "relationships" && kind != "relationships_where") continue;
    auto tested = dag.index_of(test.attached_node);
    if (!tested || dag.node(*tested).resource_type != ResourceType::kSeed) continue;
    for (std::size_t p : dag.parents(t)) {
      if (p == *tested || dag.node(p).resource_type != ResourceType::kSeed) continue;
      if (!in.count(p) && !in.count(*tested)) continue;
      edges.push_back({*tested, p, "relationships test " + test.name});
    }
  }
  return edges;
}

std::vector<std::size_t> order_seeds(const Dag& dag, const std::vector<std::size_t>& seeds,
                                     const std::vector<SeedEdge>& edges) {
  std::set<std::size_t> in(seeds.begin(), seeds.end());
  std::map<std::size_t, std::set<std::size_t>> needs;  // seed -> seeds it waits for
  std::map<std::pair<std::size_t, std::size_t>, std::string> why;
  for (const SeedEdge& e : edges) {
    if (!in.count(e.seed) || !in.count(e.before)) continue;
    if (e.seed == e.before) {
      throw usage_error("seed dependency cycle: " + dag.node(e.seed).name + " -> " +
                        dag.node(e.seed).name + " (" + e.why + ")");
    }
    needs[e.seed].insert(e.before);
    why.emplace(std::make_pair(e.seed, e.before), e.why);
  }
  std::vector<std::size_t> out;
  std::set<std::size_t> done;
  std::vector<std::size_t> pending(in.begin(), in.end());  // Dag index order = unique_id order
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](std::size_t s) {
      for (std::size_t b : needs[s])
        if (!done.count(b)) return false;
      return true;
    });
    if (ready == pending.end()) break;
    out.push_back(*ready);
    done.insert(*ready);
    pending.erase(ready);
  }
  if (pending.empty()) return out;
  // A cycle: walk from a blocked seed along unmet needs until a seed repeats.
  std::vector<std::size_t> path = {pending.front()};
  while (true) {
    std::size_t next = 0;
    for (std::size_t b : needs[path.back()]) {
      if (!done.count(b)) {
        next = b;
        break;
      }
    }
    auto seen = std::find(path.begin(), path.end(), next);
    if (seen != path.end()) {
      std::vector<std::size_t> cycle(seen, path.end());
      cycle.push_back(next);
      std::string names, reasons;
      for (std::size_t k = 0; k < cycle.size(); ++k) {
        names += (k ? " -> " : "") + dag.node(cycle[k]).name;
        if (k + 1 < cycle.size()) {
          reasons += std::string(k ? "; " : "") + dag.node(cycle[k]).name + " after " +
                     dag.node(cycle[k + 1]).name + ": " + why[{cycle[k], cycle[k + 1]}];
        }
      }
      throw usage_error("seed dependency cycle: " + names + " (" + reasons +
                        "); remove one of these dependencies");
    }
    path.push_back(next);
  }
}

}  // namespace baliza::ops
