// The libcurl C API, loaded at run time.
//
// libcurl pulls in about 30 shared libraries (TLS, Kerberos, LDAP, SSH, ...) that cost ~10 ms to
// map and relocate at every start-up, yet only extraction (HTTP fetching) needs it. So, like
// DuckDB (db/duckdb_api.h), libcurl.so.4 is dlopen()ed on the first call to curl_api() instead of
// being linked, and curl_global_init runs once right after loading. Only src/extract calls curl.
//
// Library: $BALIZA_CURL_LIB when set (and then only that file), otherwise libcurl.so.4 from the
// system loader path. The header is still included for types and constants.
#pragma once

// Without this, GCC builds turn curl_easy_setopt & co. into type-checking macros, which would
// also rewrite the member names below.
#ifndef CURL_DISABLE_TYPECHECK
#define CURL_DISABLE_TYPECHECK
#endif
#include <curl/curl.h>

#include <string>

namespace baliza::extract {

// Every libcurl function Baliza calls (curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt
// are variadic; calling them through the pointer is the same as calling them directly).
// clang-format off
#define BALIZA_CURL_FUNCTIONS(X) \
  X(curl_global_init) \
  X(curl_easy_init) \
  X(curl_easy_cleanup) \
  X(curl_easy_setopt) \
  X(curl_easy_getinfo) \
  X(curl_easy_perform) \
  X(curl_easy_strerror) \
  X(curl_slist_append) \
  X(curl_slist_free_all) \
  X(curl_multi_init) \
  X(curl_multi_cleanup) \
  X(curl_multi_setopt) \
  X(curl_multi_add_handle) \
  X(curl_multi_remove_handle) \
  X(curl_multi_perform) \
  X(curl_multi_poll) \
  X(curl_multi_wakeup) \
  X(curl_multi_info_read) \
  X(curl_getdate)
// clang-format on

struct CurlApi {
#define BALIZA_CURL_MEMBER(name) decltype(&::name) name = nullptr;
  BALIZA_CURL_FUNCTIONS(BALIZA_CURL_MEMBER)
#undef BALIZA_CURL_MEMBER
  std::string library_path;  // the file that was loaded
};

// Loads libcurl on first use and runs curl_global_init once; thread-safe. Throws an environment
// error (exit code 3) with the fix when the library, one of its functions, or its initialisation
// is missing; later calls throw the same error again.
const CurlApi& curl_api();

}  // namespace baliza::extract
