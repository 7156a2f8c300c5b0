// The raw store: every fetched response body, content-addressed and compressed.
//
// A body is hashed (SHA-256) and zstd-compressed once; raw.payloads keeps one row per distinct
// body, raw.api_requests one row per request pointing at it. Hashing and compressing
// (prepare_payload) need no database, so HTTP threads can do it; only store() touches DuckDB
// and belongs on the single writer connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"

namespace baliza {

struct RawStoreOptions {
  int zstd_level = 5;
  size_t max_payload_bytes = size_t{256} << 20;
};

// What is known about the request that produced a body.
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

struct PreparedPayload {
  std::string sha256;
  std::string compressed;
  size_t raw_size = 0;
};

struct PutResult {
  std::string request_id;
  std::string sha256;
  bool stored_new = false;  // false when an identical body was already stored
  size_t raw_size = 0;
  size_t compressed_size = 0;
};

PreparedPayload prepare_payload(std::string_view body, const RawStoreOptions& options);

class RawStore {
 public:
  RawStore(Connection& conn, RawStoreOptions options = {});

  // Stores one request and its body. Not transactional by itself: wrap batches in
  // Connection::transaction for speed and atomicity.
  PutResult put(const RawRequest& request, std::string_view body);
  PutResult store(const RawRequest& request, const PreparedPayload& payload);

  // Records a request that produced no body (204, or an error status kept for the record).
  std::string record_without_body(const RawRequest& request);

  // The original bytes of a payload, verified against its hash. Unknown hash, corruption or a
  // size past the limit are errors.
  std::string get(std::string_view sha256);

  // Resolves a unique hash prefix (at least 4 hex chars) to the full hash.
  std::string resolve_prefix(std::string_view prefix);

 private:
  std::string insert_request(const RawRequest& request, const PreparedPayload* payload);
  Connection& conn_;
  RawStoreOptions options_;
  std::optional<PreparedStatement> insert_payload_;
  std::optional<PreparedStatement> insert_request_;
};

}  // namespace baliza
