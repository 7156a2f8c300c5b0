// What the raw store keeps of one answered request, as plain values (no database types): the
// request's description and its body, hashed (SHA-256) and zstd-compressed once.
//
// prepare_payload() needs no database, so HTTP and processor threads do it; whoever stores the
// rows (raw_tables.h for DuckDB, another ExtractionStore elsewhere) only copies bytes.
// Thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace baliza {

struct RawStoreOptions {
  int zstd_level = 5;
  size_t max_payload_bytes = size_t{256} << 20;
};

// What is known about the request that produced a body (a row of raw.api_requests).
struct RawRequest {
  std::string request_id;  // generated when empty
  std::string task_id;
  std::string endpoint;
  std::string url;
  std::string params;  // canonical JSON of the query parameters
  std::optional<int> page;
  int http_status = 200;
  std::string etag;
  std::string collected_at;  // UTC "YYYY-MM-DD HH:MM:SS[.ffffff]"; now when empty
};

// A body ready to store (a row of raw.payloads).
struct PreparedPayload {
  std::string sha256;
  std::string compressed;
  size_t raw_size = 0;
};

PreparedPayload prepare_payload(std::string_view body, const RawStoreOptions& options);

}  // namespace baliza
