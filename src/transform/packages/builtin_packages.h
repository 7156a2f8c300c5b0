// Macro packages: what dbt_packages/ holds (a project's `dbt deps`), and built-in copies of
// the most used packages for projects that run with no network: dbt's cross-database macros
// (package `dbt`, always there), dbt_utils, dbt_date and dbt_expectations (its common tests),
// used where dbt_packages/ lacks them.
// The built-in macros are Jinja written from each package's documentation (not copied code).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "transform/packages/package_list.h"

namespace baliza::transform {

class MacroLibrary;

// Jinja source of the built-in packages.
const char* builtin_dbt_macros();
const char* builtin_dbt_utils_macros();
const char* builtin_dbt_date_macros();
const char* builtin_dbt_expectations_macros();

// Adds to `library`: every package under `<project_root>/<packages_dir>/` (each folder with a
// dbt_project.yml naming the package and its macro-paths, default macros/), then the `local:`
// packages of `listed` (packages.yml, package_list.h) read from their folders, then the
// built-in dbt_utils / dbt_date / dbt_expectations where no package has that name, then `dbt`.
// Throws usage_error with file:line:column for a package macro that does not parse, and for a
// listed package found nowhere (check_packages_present). Returns the names of the packages
// added, installed ones first. `warnings` (if given) gets one line per package that has
// models, which Baliza does not build.
std::vector<std::string> add_package_macros(MacroLibrary& library,
                                            const std::filesystem::path& project_root,
                                            const std::string& packages_dir = "dbt_packages",
                                            const std::vector<PackageEntry>& listed = {},
                                            std::vector<std::string>* warnings = nullptr);

}  // namespace baliza::transform
