#include "db/payload_functions.h"

#include "core/zstd_codec.h"
#include "db/duckdb_api.h"

namespace baliza {

void register_payload_functions(Connection& conn, size_t max_payload_bytes) {
  ScalarFunction payload;
  payload.name = "baliza_payload";
  payload.parameters = {DUCKDB_TYPE_BLOB};
  payload.return_type = DUCKDB_TYPE_VARCHAR;
  payload.body = [max_payload_bytes](duckdb_data_chunk input, duckdb_vector output) {
    const DuckDbApi& api = duckdb_api();
    idx_t rows = api.duckdb_data_chunk_get_size(input);
    duckdb_vector blobs = api.duckdb_data_chunk_get_vector(input, 0);
    auto* data = static_cast<duckdb_string_t*>(api.duckdb_vector_get_data(blobs));
    uint64_t* validity = api.duckdb_vector_get_validity(blobs);
    for (idx_t row = 0; row < rows; ++row) {
      bool valid = !validity || (validity[row / 64] >> (row % 64)) & 1;
      if (!valid) {
        api.duckdb_vector_ensure_validity_writable(output);
        api.duckdb_validity_set_row_invalid(api.duckdb_vector_get_validity(output), row);
        continue;
      }
      thread_local std::string body;  // one buffer per DuckDB worker thread, reused
      zstd_decompress_into(duckdb_string_view(data[row]), max_payload_bytes, body);
      api.duckdb_vector_assign_string_element_len(output, row, body.data(), body.size());
      if (body.capacity() > (size_t{64} << 20)) std::string().swap(body);  // keep no huge page
    }
  };
  conn.register_scalar_function(std::move(payload));
}

}  // namespace baliza
