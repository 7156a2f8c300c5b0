// dbt's --defer: a run of a few selected models reads the parents it does not build from
// another environment (usually production), named by that environment's manifest.json
// (--state). A ref to a model, seed or snapshot that is not selected resolves to the relation
// the state manifest names for it (`relation_name`, else database.schema.alias) when
//   - the node is in the state manifest, and
//   - its relation does not exist in the target database, or --favor-state is given.
// Otherwise the ref keeps its own relation. Ephemeral models are never deferred (they are
// inlined), nor sources (they are the same in every environment). Deferred seeds are not
// loaded. Project::deferred holds the result; the Compiler reads it for every ref.
// Errors: an unreadable or malformed manifest is a usage error naming the file.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "db/database.h"
#include "transform/dag.h"
#include "transform/project.h"

namespace baliza::transform {

// unique_id -> the relation SQL the state manifest names for each model, seed and snapshot.
std::map<std::string, std::string> read_state_relations(const std::filesystem::path& manifest);

struct DeferOptions {
  std::filesystem::path state_manifest;  // <state>/manifest.json
  bool favor_state = false;
};

// Fills project.deferred for the nodes of `dag` outside `selected` (Dag indexes) as above;
// reads the target database's catalog once on `conn`. Returns the unique_ids deferred, sorted.
std::vector<std::string> apply_deferral(Project& project, const Dag& dag,
                                        const std::vector<std::size_t>& selected,
                                        const DeferOptions& options, Connection& conn);

}  // namespace baliza::transform
