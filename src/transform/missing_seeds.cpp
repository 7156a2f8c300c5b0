#include "transform/missing_seeds.h"

#include <algorithm>
#include <set>

#include "transform/materialize.h"
#include "transform/relation.h"

namespace baliza::transform {

std::vector<std::size_t> missing_seed_ancestors(const Dag& dag,
                                                const std::vector<std::size_t>& selected,
                                                Connection& conn) {
  // One walk up from every selected node at once (linear in the Dag).
  std::set<std::size_t> chosen(selected.begin(), selected.end());
  std::vector<bool> seen(dag.size(), false);
  std::vector<std::size_t> pending(selected.begin(), selected.end());
  std::set<std::size_t> seeds;
  while (!pending.empty()) {
    std::size_t i = pending.back();
    pending.pop_back();
    for (std::size_t p : dag.parents(i)) {
      if (seen[p]) continue;
      seen[p] = true;
      pending.push_back(p);
      if (dag.node(p).resource_type == ResourceType::kSeed && !chosen.count(p)) seeds.insert(p);
    }
  }
  if (seeds.empty()) return {};
  std::unique_ptr<RelationCatalog> catalog = RelationCatalog::read(conn);
  std::vector<std::size_t> out;
  for (std::size_t s : seeds) {
    const Node& seed = dag.node(s);
    if (catalog->kind(node_schema(seed), node_identifier(seed)) != RelationKind::kTable)
      out.push_back(s);
  }
  return out;
}

}  // namespace baliza::transform
