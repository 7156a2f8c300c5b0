// Node selection with dbt's syntax (`-s/--select`, `--exclude`).
//
//   name, staging.*, *orders*   fqn: a node name, or a path of folders/names (project optional)
//   models/staging, x.sql       a path when the value has '/' or a file extension
//   +m  m+  +m+  2+m  m+3  @m   ancestors / descendants (optionally to a depth); @: m, its
//                               descendants and all their ancestors
//   tag:x  path:models/staging  file:a.sql  package:p  resource_type:seed
//   config.materialized:view    (any config key; lists match any element)
//   source:s  source:s.t        test_name:not_null  test_type:generic|singular
//   state:modified  state:new   against a previous run's state checksums (transform/state.h);
//                               modified includes new nodes, as in dbt
//   `*` and `?` are wildcards in every value.
// Items separated by spaces are a union; items joined by commas are an intersection.
// An unknown method is a usage error listing the valid ones. A select item that matches nothing
// is reported as a warning for the caller to print.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "transform/dag.h"

namespace baliza::transform {

struct SelectionRequest {
  std::vector<std::string> select;  // each string may hold several space-separated items;
                                    // nothing means every node
  std::vector<std::string> exclude;
  // unique_id -> state_checksum from the previous run; required by state: selectors.
  const std::map<std::string, std::string>* previous_state = nullptr;
};

struct Selection {
  std::vector<std::size_t> indexes;     // Dag indexes, in topological order
  std::vector<std::string> unique_ids;  // the same nodes, same order
  std::vector<std::string> warnings;    // "selector 'x' matched no nodes"
};

// Throws usage_error for a malformed selector or an unknown method.
Selection select_nodes(const Project& project, const Dag& dag, const SelectionRequest& request);

}  // namespace baliza::transform
