// dbt_project.yml, read with dbt's semantics into the same ProjectSettings a baliza.yml gives:
//
//   name, profile, vars (a mapping keyed by the project's name is merged in, as dbt scopes
//   vars per package), model-paths, seed-paths, test-paths, macro-paths, snapshot-paths,
//   analysis-paths, target-path, clean-targets, on-run-start / on-run-end (a string or a
//   list), dispatch, flags, quoting, and the +config trees under models:, seeds:, snapshots:,
//   data_tests: / tests:, sources:. A non-mapping value in those trees is a config whether or
//   not it has the '+' prefix (as dbt reads it).
//
// Keys dbt knows but Baliza does not act on (version, config-version, require-dbt-version,
// docs-paths, asset-paths, packages-install-path, query-comment, exposures, metrics, ...) and
// keys nobody knows are accepted; ProjectSettings::warnings gets one line naming them all.
// Errors (not a mapping, no name, a bad config value) are usage errors with file:line:column.
#pragma once

#include <string>

#include "transform/project_settings.h"

namespace baliza::transform {

constexpr const char* kDbtProjectFile = "dbt_project.yml";

ProjectSettings parse_dbt_project_settings(const std::string& text, const std::string& file);

}  // namespace baliza::transform
