#include "cli/project_locator.h"

namespace baliza::cli {
namespace fs = std::filesystem;
namespace {

bool has_models(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "baliza.yml", ec) && fs::is_directory(dir / "models", ec);
}

}  // namespace

std::optional<fs::path> locate_project(const std::string& project_dir_flag) {
  if (!project_dir_flag.empty()) return fs::absolute(project_dir_flag);
  for (fs::path d = fs::current_path(); !d.empty(); d = d.parent_path()) {
    if (has_models(d)) return d;
    if (d == d.parent_path()) break;
  }
  return std::nullopt;
}

}  // namespace baliza::cli
