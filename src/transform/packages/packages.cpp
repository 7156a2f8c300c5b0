#include "transform/packages/builtin_packages.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/error.h"
#include "transform/packages/package_list.h"
#include "transform/project_files.h"
#include "transform/template_macro.h"

namespace baliza::transform {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> macro_paths_of(const YAML::Node& project) {
  std::vector<std::string> paths;
  if (project["macro-paths"] && project["macro-paths"].IsSequence()) {
    for (const auto& p : project["macro-paths"]) paths.push_back(p.as<std::string>());
  }
  if (paths.empty()) paths.emplace_back("macros");
  return paths;
}

// The .sql files under `dir`, sorted (so duplicate-name errors do not depend on the disk).
std::vector<fs::path> sql_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".sql") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<std::string> add_package_macros(MacroLibrary& library, const fs::path& project_root,
                                            const std::string& packages_dir,
                                            const std::vector<PackageEntry>& listed,
                                            std::vector<std::string>* warnings) {
  std::vector<std::string> added;
  // The macros of the package in `dir`; `name` is its dbt_project.yml's name (else the folder).
  auto add_package = [&](const fs::path& dir) {
    std::error_code ec;
    fs::path project_file = dir / "dbt_project.yml";
    if (!fs::exists(project_file, ec)) return;
    YAML::Node project;
    try {
      project = YAML::LoadFile(project_file.string());
    } catch (const YAML::Exception& e) {
      throw usage_error(project_file.string() + ":" + std::to_string(e.mark.line + 1) +
                        ": invalid YAML: " + e.msg + "; run `dbt deps` again or remove " +
                        dir.string());
    }
    std::string name = project["name"] && project["name"].IsScalar()
                           ? project["name"].as<std::string>()
                           : dir.filename().string();
    if (std::find(added.begin(), added.end(), name) != added.end()) return;
    for (const std::string& macro_dir : macro_paths_of(project)) {
      for (const fs::path& file : sql_files(dir / macro_dir)) {
        std::string shown = fs::relative(file, project_root, ec).string();
        library.add(
            MacroFile::parse(read_whole_file(file), shown.empty() ? file.string() : shown, name));
      }
    }
    added.push_back(name);
    // Its models and seeds are not nodes of this project: say so rather than drop them quietly.
    std::size_t models = 0;
    std::vector<std::string> model_dirs{"models"};
    if (project["model-paths"] && project["model-paths"].IsSequence()) {
      model_dirs.clear();
      for (const auto& m : project["model-paths"]) model_dirs.push_back(m.as<std::string>());
    }
    for (const std::string& m : model_dirs) models += sql_files(dir / m).size();
    if (models > 0 && warnings != nullptr) {
      warnings->push_back("package " + name + " (" + dir.string() + ") has " +
                          std::to_string(models) +
                          " model file(s): Baliza uses a package's macros and generic tests "
                          "only, so its models are not built and ref() to them fails");
    }
  };
  fs::path root = project_root / packages_dir;
  std::error_code ec;
  if (fs::is_directory(root, ec)) {
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      if (entry.is_directory(ec)) dirs.push_back(entry.path());
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) add_package(dir);
  }
  // `local:` packages not installed: read from their folder, as `dbt deps` would link them.
  for (const PackageEntry& e : listed) {
    if (e.kind == "local") add_package(e.local_dir);
  }
  check_packages_present(listed, added, {"dbt_utils", "dbt_date", "dbt_expectations"},
                         packages_dir);
  struct Builtin {
    const char* name;
    const char* (*source)();
  };
  for (const Builtin& b : {Builtin{"dbt_utils", builtin_dbt_utils_macros},
                           Builtin{"dbt_date", builtin_dbt_date_macros},
                           Builtin{"dbt_expectations", builtin_dbt_expectations_macros},
                           Builtin{"dbt", builtin_dbt_macros}}) {
    if (std::find(added.begin(), added.end(), b.name) != added.end()) continue;
    library.add(MacroFile::parse(b.source(), std::string("<built-in ") + b.name + ">", b.name));
    added.emplace_back(b.name);
  }
  return added;
}

}  // namespace baliza::transform
