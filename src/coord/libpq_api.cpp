#include "coord/libpq_api.h"

#include <dlfcn.h>

#include <cstdlib>

#include "core/dynamic_library.h"
#include "core/error.h"

namespace baliza::coord {
namespace {

constexpr const char* kDefaultLibrary = "libpq.so.5";

std::string fix_hint() {
  return "libpq (PostgreSQL's client library) is needed to use a coordinator. Install it "
         "(apt-get install libpq5), or set BALIZA_LIBPQ_LIB to the path of libpq.so.5";
}

LibpqApi load() {
  const char* env = std::getenv("BALIZA_LIBPQ_LIB");
  const std::string path = env && *env ? env : kDefaultLibrary;
  const std::string origin = env && *env ? " (from BALIZA_LIBPQ_LIB)" : "";
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw environment_error("cannot load libpq: " + path + origin + ": " +
                            (why ? why : "unknown error") + "\n" + fix_hint());
  }
  LibpqApi api;
  api.library_path = path;
  std::string missing;
#define BALIZA_LIBPQ_RESOLVE(name) resolve_symbol(handle, #name, api.name, missing);
  BALIZA_LIBPQ_FUNCTIONS(BALIZA_LIBPQ_RESOLVE)
#undef BALIZA_LIBPQ_RESOLVE
  if (!missing.empty()) {
    dlclose(handle);
    throw environment_error("the libpq at " + path + origin + " lacks functions Baliza needs (" +
                            missing + ").\n" + fix_hint());
  }
  return api;  // the handle stays open for the life of the process
}

}  // namespace

const LibpqApi& libpq_api() {
  return load_once<LibpqApi>(load);
}

}  // namespace baliza::coord
