// A generator of realistic synthetic projects, for loader tests and benchmarks: sources ->
// staging (views over sources) -> intermediate (joins of earlier models: mostly tables, some
// views through {{ config() }}, a few ephemeral) -> marts (tables and incremental models over
// intermediates), with property files declaring columns and generic tests. Sources declare
// their columns, so `validate` can bind the project against an empty database.
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
  // Intermediates: every n-th is ephemeral (0: none); of the rest every n-th is a view, the
  // others tables. DuckDB binds a view's whole upstream of views again for each reader, so a
  // deep DAG of views only is not what real projects (or this generator) build.
  std::size_t ephemeral_every = 25;
  std::size_t view_every = 3;
};

// What was written, so callers can check a loader against it.
struct SyntheticProjectStats {
  std::size_t models = 0;
  std::size_t sources = 0;
  std::size_t tests = 0;
  std::size_t edges = 0;  // distinct dependencies: refs + sources + tested model -> test
  std::size_t staging = 0, intermediate = 0, marts = 0;               // models per layer
  std::size_t views = 0, tables = 0, incremental = 0, ephemeral = 0;  // per materialization
};

// Writes baliza.yml, models/{staging,intermediate,marts}/*.sql and their schema.yml into
// `dir` (created if missing). Throws environment_error when a file cannot be written.
SyntheticProjectStats write_synthetic_project(const std::filesystem::path& dir,
                                              const SyntheticProjectOptions& options = {});

}  // namespace baliza::transform
