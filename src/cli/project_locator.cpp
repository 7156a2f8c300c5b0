#include "cli/project_locator.h"

#include "core/upward_search.h"
#include "transform/dbt_project_file.h"
#include "transform/project.h"

namespace baliza::cli {
namespace fs = std::filesystem;
namespace {

bool is_project(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / transform::kDbtProjectFile, ec)) return true;
  return fs::exists(dir / "baliza.yml", ec) && fs::is_directory(dir / "models", ec);
}

}  // namespace

std::optional<fs::path> locate_project(const std::string& project_dir_flag) {
  if (!project_dir_flag.empty()) return fs::absolute(project_dir_flag);
  for (const fs::path& d : upward_dirs(fs::current_path())) {
    if (is_project(d)) return d;
  }
  return std::nullopt;
}

bool is_dbt_project(const fs::path& dir) {
  return transform::project_file_in(dir).value_or("") == transform::kDbtProjectFile;
}

std::string describe_project(const std::optional<fs::path>& dir) {
  if (!dir) return "project: the built-in PNCP project";
  std::optional<std::string> file = transform::project_file_in(*dir);
  return "project: " + dir->string() + (file ? " (" + *file + ")" : std::string());
}

}  // namespace baliza::cli
