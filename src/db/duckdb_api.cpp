#include "db/duckdb_api.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/dynamic_library.h"
#include "core/error.h"

namespace baliza {
namespace {

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

std::vector<std::string> candidate_paths() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("BALIZA_DUCKDB_LIB"); env && *env) paths.push_back(env);
  auto dir = executable_dir();
  if (!dir.empty()) {
    paths.push_back((dir / "libduckdb.so").string());
    paths.push_back((dir.parent_path() / "lib" / "libduckdb.so").string());
  }
  paths.push_back(BALIZA_DUCKDB_BUILD_LIB);
  paths.push_back("libduckdb.so");
  return paths;
}

DuckDbApi load() {
  std::string tried;
  for (const auto& path : candidate_paths()) {
    bool is_bare_name = path.find('/') == std::string::npos;
    if (!is_bare_name && !std::filesystem::exists(path)) {
      tried += "\n  " + path + " (not found)";
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      tried += "\n  " + path + " (" + dlerror() + ")";
      continue;
    }
    DuckDbApi api;
    api.library_path = path;
    std::string missing;
#define BALIZA_DUCKDB_RESOLVE(name) resolve_symbol(handle, #name, api.name, missing);
    BALIZA_DUCKDB_FUNCTIONS(BALIZA_DUCKDB_RESOLVE)
#undef BALIZA_DUCKDB_RESOLVE
    if (!missing.empty()) {
      throw environment_error("the DuckDB library at " + path + " lacks functions Baliza needs (" +
                              missing + "); it is too old: use DuckDB 1.4 (scripts/fetch-duckdb)");
    }
    return api;
  }
  throw environment_error(
      "cannot load libduckdb.so; tried:" + tried +
      "\nRun scripts/setup (it fetches the pinned DuckDB), or set BALIZA_DUCKDB_LIB to the path of "
      "libduckdb.so");
}

}  // namespace

const DuckDbApi& duckdb_api() {
  return load_once<DuckDbApi>(load);
}

}  // namespace baliza
