// Builds a whole project (seeds, models and their tests, in DAG order, as `baliza build`) on an
// open database, and writes the artifacts and meta rows of the run. Used by the pipeline
// commands (`baliza run`, `baliza demo`), which already hold the database.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "db/database.h"
#include "transform/dag.h"
#include "transform/project.h"
#include "transform/runner.h"

namespace baliza::transform {

struct ProjectBuildOptions {
  std::shared_ptr<Database> database;  // the open database (workers connect to it)
  Connection* main = nullptr;          // its main connection (SQL functions registered)
  std::filesystem::path target;        // where manifest.json and run_results.json go
  std::string command_line;            // recorded with the run
  int threads = 4;
  bool full_refresh = false;
  // dbt selectors (transform/selector.h); empty = every node. The pipeline builds the models a
  // SQL-planned endpoint's query reads this way (ops/sql_rounds.h).
  std::vector<std::string> select;
  std::function<void(const std::string&)> print;
  // Passed to RunOptions (see runner.h): node start/finish observers, e.g. OpenLineage events.
  // Gets the Dag and the nodes the run executes (Dag indexes).
  std::function<void(const Dag&, const std::vector<std::size_t>&, RunOptions&)> observe;
  // Called after the run, while that Dag still lives (observers close there), before the
  // artifacts are written.
  std::function<void(const RunSummary&)> observed;
};

RunSummary build_project(const Project& project, const ProjectBuildOptions& options);

}  // namespace baliza::transform
