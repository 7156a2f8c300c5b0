// Helpers for the C libraries Baliza opens with dlopen on first use instead of linking them
// (DuckDB in db/duckdb_api.h, libcurl in extract/curl_api.h), so that commands which do not
// need them start without mapping them.
#pragma once

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "core/error.h"

namespace baliza {

// Sets `slot` to the function `name` of `handle`; when absent, appends the name to `missing`
// (", "-separated) so that one error can list every missing function.
template <typename Fn>
void resolve_symbol(void* handle, const char* name, Fn& slot, std::string& missing) {
  slot = reinterpret_cast<Fn>(dlsym(handle, name));
  if (!slot) missing += (missing.empty() ? "" : ", ") + std::string(name);
}

// Runs `load` once per process for the table type Api (thread-safe) and returns the table;
// when loading threw a baliza::Error, this call and every later one throw that error again.
template <typename Api, typename Load>
const Api& load_once(Load load) {
  static std::once_flag once;
  static Api api;
  static std::string error;
  static ExitCode code = ExitCode::kOk;
  std::call_once(once, [&] {
    try {
      api = load();
    } catch (const Error& e) {
      error = e.what();
      code = e.code();
    }
  });
  if (!error.empty()) throw Error(code, error);
  return api;
}

}  // namespace baliza
