// A generator of realistic synthetic projects, for loader tests and benchmarks: sources ->
// staging (views over sources) -> intermediate (joins of earlier models) -> marts (tables and
// incremental models over intermediates), with property files declaring generic tests.
// Deterministic for a given seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace baliza::transform {

struct SyntheticProjectOptions {
  std::size_t models = 1000;  // total models: ~25% staging, ~50% intermediate, ~25% marts
  std::size_t sources = 20;   // source tables under one source named raw
  std::uint32_t seed = 42;
  std::size_t tested_every = 10;  // every n-th model gets not_null + unique tests on id (0: none)
};

// What was written, so callers can check a loader against it.
struct SyntheticProjectStats {
  std::size_t models = 0;
  std::size_t sources = 0;
  std::size_t tests = 0;
  std::size_t edges = 0;  // distinct dependencies: refs + sources + tested model -> test
};

// Writes baliza.yml, models/{staging,intermediate,marts}/*.sql and their schema.yml into
// `dir` (created if missing). Throws environment_error when a file cannot be written.
SyntheticProjectStats write_synthetic_project(const std::filesystem::path& dir,
                                              const SyntheticProjectOptions& options = {});

}  // namespace baliza::transform
