#include "transform/packages/package_list.h"

#include <algorithm>

#include "core/error.h"
#include "transform/project_files.h"
#include "transform/text_util.h"
#include "transform/yaml_util.h"

namespace baliza::transform {
namespace {

namespace fs = std::filesystem;

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// "https://github.com/dbt-labs/dbt-utils.git" -> "dbt_utils" (a guess: dbt names a package in
// its own dbt_project.yml, which is only known once installed).
std::string name_from_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::size_t slash = url.find_last_of("/:");
  std::string last = slash == std::string::npos ? url : url.substr(slash + 1);
  for (const char* ext : {".git", ".tar.gz", ".tgz", ".zip"}) {
    std::string e(ext);
    if (last.size() > e.size() && last.compare(last.size() - e.size(), e.size(), e) == 0) {
      last.erase(last.size() - e.size());
    }
  }
  std::replace(last.begin(), last.end(), '-', '_');
  return last;
}

std::string local_package_name(const fs::path& dir, const std::string& where) {
  fs::path project_file = dir / "dbt_project.yml";
  std::error_code ec;
  if (!fs::exists(project_file, ec)) {
    throw usage_error("local package at " + where + ": " + project_file.string() +
                      " does not exist; fix the path in `local:` (it is relative to the project "
                      "folder) or remove the entry");
  }
  YamlNode project = parse_yaml(read_whole_file(project_file), project_file.string());
  if (project.IsMap() && project["name"] && project["name"].IsScalar())
    return project["name"].Scalar();
  return dir.filename().string();
}

}  // namespace

std::vector<PackageEntry> read_package_list(const fs::path& project_root) {
  std::vector<PackageEntry> out;
  std::error_code ec;
  fs::path file = project_root / "packages.yml";
  if (!fs::exists(file, ec)) file = project_root / "dependencies.yml";
  if (!fs::exists(file, ec)) return out;
  const std::string shown = file.filename().string();
  YamlNode root = parse_yaml(read_whole_file(file), shown);
  if (!root.IsDefined() || root.IsNull()) return out;
  expect_map(shown, root, shown);
  const YamlNode& list = root["packages"];
  if (!list || list.IsNull()) return out;
  expect_list(shown, list, "packages");
  for (const YamlNode& item : list.items()) {
    expect_map(shown, item, "a package entry (- package: dbt-labs/dbt_utils)");
    PackageEntry e;
    e.where = format_pos(shown, yaml_pos(item));
    for (const char* kind : {"package", "git", "local", "tarball", "private"}) {
      if (item[kind] && item[kind].IsScalar()) {
        e.kind = kind;
        e.source = item[kind].Scalar();
        break;
      }
    }
    if (e.kind.empty()) {
      yaml_fail(shown, item, "a package entry needs one of package:, git:, local:, tarball:",
                " or private: (- package: dbt-labs/dbt_utils)");
    }
    if (item["name"] && item["name"].IsScalar()) e.name = item["name"].Scalar();
    if (e.kind == "package" || e.kind == "private") {
      if (e.name.empty()) {
        std::size_t slash = e.source.find_last_of('/');
        e.name = slash == std::string::npos ? e.source : e.source.substr(slash + 1);
      }
    } else if (e.kind == "local") {
      e.local_dir = fs::path(e.source).is_absolute() ? fs::path(e.source) : project_root / e.source;
      e.local_dir = e.local_dir.lexically_normal();
      e.name = local_package_name(e.local_dir, e.where);
    } else if (e.name.empty()) {
      std::string url = e.source;
      if (item["subdirectory"] && item["subdirectory"].IsScalar())
        url = item["subdirectory"].Scalar();
      e.name = name_from_url(url);
    }
    out.push_back(std::move(e));
  }
  return out;
}

void check_packages_present(const std::vector<PackageEntry>& entries,
                            const std::vector<std::string>& installed,
                            const std::vector<std::string>& builtin,
                            const std::string& install_path) {
  std::vector<std::string> unclaimed = installed;
  std::vector<const PackageEntry*> unsure;  // git/tarball whose guessed name is not installed
  std::vector<std::string> missing;
  for (const PackageEntry& e : entries) {
    if (e.kind == "local") continue;  // read from its folder (checked when listed)
    if (contains(installed, e.name)) {
      std::erase(unclaimed, e.name);
    } else if (e.kind == "git" || e.kind == "tarball") {
      unsure.push_back(&e);
    } else if (!contains(builtin, e.name)) {
      missing.push_back(e.where + ": " + e.kind + " " + e.source);
    }
  }
  for (const PackageEntry* e : unsure) {
    if (!unclaimed.empty()) {
      unclaimed.erase(unclaimed.begin());  // installed under the name its dbt_project.yml gives
    } else if (!contains(builtin, e->name)) {
      missing.push_back(e->where + ": " + e->kind + " " + e->source);
    }
  }
  if (missing.empty()) return;
  throw usage_error(std::to_string(missing.size()) + " package(s) the project lists are not in " +
                    install_path + "/ and not built in: " + join(missing, "; ") +
                    ". Baliza downloads nothing: run `dbt deps` once to install them (Baliza "
                    "then uses " +
                    install_path +
                    "/ as dbt does), or remove the entries. Built in: " + join(builtin, ", "));
}

}  // namespace baliza::transform
