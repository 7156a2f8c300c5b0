// Which SQL project a command works on, the same for every command: --project-dir when given,
// else the nearest folder from the current one upwards (stopping at BALIZA_CEILING_DIRECTORIES,
// core/upward_search.h) that holds dbt_project.yml, or baliza.yml with a models/ folder (a
// project written by `baliza init --project pncp` and customised), else none, meaning the
// built-in PNCP project compiled into the binary. A dbt project is never passed over for the
// built-in one.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace baliza::cli {

std::optional<std::filesystem::path> locate_project(const std::string& project_dir_flag);

// True when the project in `dir` is a dbt project (read from dbt_project.yml).
bool is_dbt_project(const std::filesystem::path& dir);

// "project: <dir> (dbt_project.yml)" or "project: the built-in PNCP project", for the line
// commands that build print first.
std::string describe_project(const std::optional<std::filesystem::path>& dir);

}  // namespace baliza::cli
