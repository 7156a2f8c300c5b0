// The packages a dbt project asks for (packages.yml, or dependencies.yml's `packages:`) and
// where each one is found without a network: installed by `dbt deps` under the install path
// (dbt_packages/ or dbt_project.yml's packages-install-path), a `local:` package read from its
// folder (what `dbt deps` would link), or Baliza's built-in copy (dbt_utils, dbt_date,
// dbt_expectations). Baliza downloads nothing.
//
// A listed package found nowhere is a usage error naming the file:line of its entry and how
// to fix it (run `dbt deps` once, or remove the entry), as dbt refuses to run with packages
// missing. Package names: hub entries (`dbt-labs/dbt_utils`) name the package in their last
// segment; a local package's name is in its dbt_project.yml; git/tarball entries name no package,
// so they are matched by the last segment of their URL (`dbt-utils.git` -> dbt_utils) or else
// by an installed package no other entry claims.
// Not thread-safe; pure functions of the files read. Throws usage_error (bad YAML, a local path
// with no dbt_project.yml, a missing package).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace baliza::transform {

struct PackageEntry {
  std::string kind;                 // "package" (hub), "git", "local", "tarball", "private"
  std::string source;               // as written: dbt-labs/dbt_utils, the URL, the path
  std::string name;                 // the package's name when known (see above), else empty
  std::string where;                // file:line of the entry
  std::filesystem::path local_dir;  // kind "local": the folder, resolved from the project root
};

// The entries of `<project_root>/packages.yml`, else of dependencies.yml's `packages:`; empty
// when neither file exists.
std::vector<PackageEntry> read_package_list(const std::filesystem::path& project_root);

// Checks that each entry is satisfied by an installed package (`installed`, names), a local
// folder or a built-in name (`builtin`). Throws usage_error listing every missing one.
void check_packages_present(const std::vector<PackageEntry>& entries,
                            const std::vector<std::string>& installed,
                            const std::vector<std::string>& builtin,
                            const std::string& install_path);

}  // namespace baliza::transform
