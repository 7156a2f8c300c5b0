// The order a workflow's `seed` step loads its seeds in: every seed after the seeds it
// depends on. Dependencies are declared in the step (`depends_on: {seed: [seeds]}`) or inferred
// from relationships tests between seeds (a test on seed A whose `to` is seed B: B first).
// Among seeds that are ready at once, the project's order (by unique_id) decides, so the same
// project always loads in the same order. A cycle is a usage error naming it
// ("seed dependency cycle: a -> b -> a") and where each edge comes from.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "transform/dag.h"

namespace baliza::ops {

struct SeedEdge {
  std::size_t seed;    // Dag index of the seed loaded later
  std::size_t before;  // Dag index of the seed it needs first
  std::string why;     // "declared in workflows/setup.yml:4:7" or "relationships test <id>"
};

// The dependency edges among `seeds` (Dag indexes). Declared names that are not seeds of the
// project are a usage error naming `where`.
std::vector<SeedEdge> seed_edges(const transform::Dag& dag, const std::vector<std::size_t>& seeds,
                                 const std::map<std::string, std::vector<std::string>>& declared,
                                 const std::string& where);

// `seeds` ordered by `edges` (edges to seeds outside `seeds` are ignored).
std::vector<std::size_t> order_seeds(const transform::Dag& dag,
                                     const std::vector<std::size_t>& seeds,
                                     const std::vector<SeedEdge>& edges);

}  // namespace baliza::ops
