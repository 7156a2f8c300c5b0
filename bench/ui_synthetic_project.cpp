// Writes the synthetic project (src/transform/synthetic_project.h) for the UI benchmark
// (bench/ui_views.sh), so `baliza ui --project-dir` can show a 10k-model DAG.
//   bench_ui_synthetic_project <dir> [models=10000]
#include <cstdio>
#include <cstdlib>

#include "transform/synthetic_project.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <dir> [models]\n", argv[0]);
    return 2;
  }
  std::size_t models = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10000;
  auto stats = baliza::transform::write_synthetic_project(argv[1], {.models = models});
  std::printf("synthetic project: %zu models, %zu sources, %zu tests, %zu edges in %s\n",
              stats.models, stats.sources, stats.tests, stats.edges, argv[1]);
  return 0;
}
