// The DuckDB C API, loaded at run time.
//
// libduckdb.so is large (about 64 MB) and takes ~12 ms to map and relocate; commands such as
// `baliza --version` or `--help` never touch the database, so the library is dlopen()ed on the
// first call to duckdb_api() instead of being linked. Only src/db calls DuckDB.
//
// Search order: $BALIZA_DUCKDB_LIB, libduckdb.so beside the executable, ../lib/ beside it, the
// library CMake was configured with, then the system loader path.
#pragma once

#include <duckdb.h>

#include <string>

namespace baliza {

// clang-format off
#define BALIZA_DUCKDB_FUNCTIONS(X) \
  X(duckdb_library_version) \
  X(duckdb_create_config) \
  X(duckdb_set_config) \
  X(duckdb_destroy_config) \
  X(duckdb_open_ext) \
  X(duckdb_close) \
  X(duckdb_connect) \
  X(duckdb_disconnect) \
  X(duckdb_free) \
  X(duckdb_query) \
  X(duckdb_destroy_result) \
  X(duckdb_result_error) \
  X(duckdb_column_count) \
  X(duckdb_row_count) \
  X(duckdb_column_name) \
  X(duckdb_column_type) \
  X(duckdb_rows_changed) \
  X(duckdb_value_varchar) \
  X(duckdb_value_is_null) \
  X(duckdb_value_int64) \
  X(duckdb_value_double) \
  X(duckdb_value_blob) \
  X(duckdb_value_boolean) \
  X(duckdb_prepare) \
  X(duckdb_prepare_error) \
  X(duckdb_destroy_prepare) \
  X(duckdb_prepared_statement_type) \
  X(duckdb_prepared_statement_column_count) \
  X(duckdb_prepared_statement_column_name) \
  X(duckdb_prepared_statement_column_type) \
  X(duckdb_nparams) \
  X(duckdb_clear_bindings) \
  X(duckdb_bind_varchar_length) \
  X(duckdb_bind_int64) \
  X(duckdb_bind_double) \
  X(duckdb_bind_boolean) \
  X(duckdb_bind_blob) \
  X(duckdb_bind_null) \
  X(duckdb_execute_prepared) \
  X(duckdb_appender_create) \
  X(duckdb_appender_error) \
  X(duckdb_appender_flush) \
  X(duckdb_appender_close) \
  X(duckdb_appender_destroy) \
  X(duckdb_appender_end_row) \
  X(duckdb_append_varchar_length) \
  X(duckdb_append_int64) \
  X(duckdb_append_double) \
  X(duckdb_append_bool) \
  X(duckdb_append_blob) \
  X(duckdb_append_null) \
  X(duckdb_create_scalar_function) \
  X(duckdb_destroy_scalar_function) \
  X(duckdb_scalar_function_set_name) \
  X(duckdb_scalar_function_add_parameter) \
  X(duckdb_scalar_function_set_return_type) \
  X(duckdb_scalar_function_set_function) \
  X(duckdb_scalar_function_set_extra_info) \
  X(duckdb_scalar_function_get_extra_info) \
  X(duckdb_scalar_function_set_error) \
  X(duckdb_register_scalar_function) \
  X(duckdb_create_logical_type) \
  X(duckdb_destroy_logical_type) \
  X(duckdb_data_chunk_get_size) \
  X(duckdb_data_chunk_get_vector) \
  X(duckdb_vector_get_data) \
  X(duckdb_vector_get_validity) \
  X(duckdb_vector_ensure_validity_writable) \
  X(duckdb_validity_set_row_invalid) \
  X(duckdb_vector_assign_string_element_len) \
  X(duckdb_interrupt)
// clang-format on

struct DuckDbApi {
#define BALIZA_DUCKDB_MEMBER(name) decltype(&::name) name = nullptr;
  BALIZA_DUCKDB_FUNCTIONS(BALIZA_DUCKDB_MEMBER)
#undef BALIZA_DUCKDB_MEMBER
  std::string library_path;  // the file that was loaded
};

// Loads libduckdb.so on first use; throws an environment error naming every path tried.
const DuckDbApi& duckdb_api();

// Reads a duckdb_string_t (inlined when 12 bytes or fewer) without a library call.
inline std::string_view duckdb_string_view(const duckdb_string_t& s) {
  uint32_t length = s.value.inlined.length;
  if (length <= 12) return {s.value.inlined.inlined, length};
  return {s.value.pointer.ptr, length};
}

}  // namespace baliza
