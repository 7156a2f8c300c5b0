// Which SQL project a command works on, the same for every command: --project-dir when given,
// else the nearest folder from the current one upwards holding baliza.yml and models/ (a
// project written by `baliza init --project pncp` and customised), else none, meaning the
// built-in PNCP project compiled into the binary.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace baliza::cli {

std::optional<std::filesystem::path> locate_project(const std::string& project_dir_flag);

}  // namespace baliza::cli
