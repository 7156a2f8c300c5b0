// The libpq C API (PostgreSQL's client library), loaded at run time.
//
// Only the coordinator (many extraction workers through PostgreSQL) needs libpq, so, like
// libcurl (extract/curl_api.h) and DuckDB, libpq.so.5 is dlopen()ed on the first call to
// libpq_api() instead of being linked: users without a coordinator never map it.
//
// Library: $BALIZA_LIBPQ_LIB when set (and then only that file), otherwise libpq.so.5 from the
// system loader path. The header is included for types and constants only.
#pragma once

#include <libpq-fe.h>

#include <string>

namespace baliza::coord {

// Every libpq function Baliza calls.
// clang-format off
#define BALIZA_LIBPQ_FUNCTIONS(X) \
  X(PQconnectdb) \
  X(PQstatus) \
  X(PQerrorMessage) \
  X(PQfinish) \
  X(PQexec) \
  X(PQexecParams) \
  X(PQresultStatus) \
  X(PQresultErrorMessage) \
  X(PQresultErrorField) \
  X(PQntuples) \
  X(PQnfields) \
  X(PQgetvalue) \
  X(PQgetlength) \
  X(PQgetisnull) \
  X(PQcmdTuples) \
  X(PQclear) \
  X(PQsetNoticeProcessor) \
  X(PQuser) \
  X(PQdb)
// clang-format on

struct LibpqApi {
#define BALIZA_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
  BALIZA_LIBPQ_FUNCTIONS(BALIZA_LIBPQ_MEMBER)
#undef BALIZA_LIBPQ_MEMBER
  std::string library_path;  // the file that was loaded
};

// Loads libpq on first use; thread-safe. Throws an environment error (exit code 3) with the fix
// when the library or one of its functions is missing; later calls throw the same error again.
const LibpqApi& libpq_api();

}  // namespace baliza::coord
