// The raw store: every fetched response body, content-addressed and compressed.
//
// A body is hashed (SHA-256) and zstd-compressed once; raw.payloads keeps one row per distinct
// body, raw.api_requests one row per request pointing at it. Hashing and compressing
// (prepare_payload, raw_payload.h) need no database, so HTTP threads can do it; only store()
// touches DuckDB and belongs on the single writer connection. Rows are encoded by
// raw_tables.h, the one encoder of the raw.* tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "extract/raw_payload.h"

namespace baliza {

struct PutResult {
  std::string request_id;
  std::string sha256;
  bool stored_new = false;  // false when an identical body was already stored
  size_t raw_size = 0;
  size_t compressed_size = 0;
};

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
  Connection& conn_;
  RawStoreOptions options_;
};

}  // namespace baliza
