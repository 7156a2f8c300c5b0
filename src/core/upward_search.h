// The folders a project file is looked up in: the start folder and its parents, like git,
// stopping before any folder listed in BALIZA_CEILING_DIRECTORIES (colon-separated absolute
// paths, git's GIT_CEILING_DIRECTORIES semantics: a ceiling folder itself is never searched, nor
// anything above it). Tests set it to their temporary root so that a stray baliza.yml or
// dbt_project.yml above their folders cannot leak in.
#pragma once

#include <filesystem>
#include <vector>

namespace baliza {

constexpr const char* kCeilingEnv = "BALIZA_CEILING_DIRECTORIES";

// `start` (made absolute) and its parents, nearest first, without the ceilings and above.
std::vector<std::filesystem::path> upward_dirs(const std::filesystem::path& start);

}  // namespace baliza
