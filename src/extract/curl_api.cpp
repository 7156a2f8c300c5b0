#include "extract/curl_api.h"

#include <dlfcn.h>

#include <cstdlib>

#include "core/dynamic_library.h"
#include "core/error.h"

namespace baliza::extract {
namespace {

constexpr const char* kDefaultLibrary = "libcurl.so.4";

std::string fix_hint() {
  return "libcurl is needed to fetch over HTTP. Install it (apt-get install libcurl4), or set "
         "BALIZA_CURL_LIB to the path of libcurl.so.4";
}

CurlApi load() {
  const char* env = std::getenv("BALIZA_CURL_LIB");
  const std::string path = env && *env ? env : kDefaultLibrary;
  const std::string origin = env && *env ? " (from BALIZA_CURL_LIB)" : "";
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw environment_error("cannot load libcurl: " + path + origin + ": " +
                            (why ? why : "unknown error") + "\n" + fix_hint());
  }
  CurlApi api;
  api.library_path = path;
  std::string missing;
#define BALIZA_CURL_RESOLVE(name) resolve_symbol(handle, #name, api.name, missing);
  BALIZA_CURL_FUNCTIONS(BALIZA_CURL_RESOLVE)
#undef BALIZA_CURL_RESOLVE
  if (!missing.empty()) {
    dlclose(handle);
    throw environment_error("the libcurl at " + path + origin + " lacks functions Baliza needs (" +
                            missing + "); it is too old (Baliza needs libcurl 7.85 or newer).\n" +
                            fix_hint());
  }
  if (api.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw environment_error("libcurl (" + path +
                            ") failed to initialize (curl_global_init); check the TLS libraries "
                            "libcurl is linked with");
  }
  return api;  // the handle stays open for the life of the process
}

}  // namespace

const CurlApi& curl_api() {
  return load_once<CurlApi>(load);
}

}  // namespace baliza::extract
