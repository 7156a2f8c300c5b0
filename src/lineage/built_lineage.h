// Column lineage after a build: analyses every model the run built (its compiled SQL against
// the warehouse's catalog), stores it in lineage.columns and writes it per column into
// target/manifest.json. Called by `transform`/`build` and the pipeline after their run.
//
// Errors: analysis problems become "unknown" rows, never exceptions; a manifest that cannot be
// read or written throws an environment error (as writing it did).
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "lineage/project_lineage.h"
#include "transform/dag.h"
#include "transform/runner.h"

namespace baliza::lineage {

// `known`: lineage already computed during the run (ModelEvents::take_lineage()); only the
// models built and missing from it are analysed.
ProjectLineage built_lineage(const transform::Project& project, const transform::Dag& dag,
                             const transform::RunSummary& summary, Connection& conn,
                             ProjectLineage known = {});

// Reads manifest.json, annotates it (ProjectLineage::annotate_manifest) and writes it back.
void annotate_manifest_file(const std::filesystem::path& manifest, const ProjectLineage& lineage);

}  // namespace baliza::lineage
