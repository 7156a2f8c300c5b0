#include "extract/raw_store.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/sha256.h"
#include "core/zstd_codec.h"

namespace baliza {

PreparedPayload prepare_payload(std::string_view body, const RawStoreOptions& options) {
  PreparedPayload p;
  p.sha256 = sha256_hex(body);
  p.compressed = zstd_compress(body, options.zstd_level);
  p.raw_size = body.size();
  return p;
}

RawStore::RawStore(Connection& conn, RawStoreOptions options) : conn_(conn), options_(options) {}

PutResult RawStore::put(const RawRequest& request, std::string_view body) {
  return store(request, prepare_payload(body, options_));
}

PutResult RawStore::store(const RawRequest& request, const PreparedPayload& payload) {
  if (!insert_payload_) {
    insert_payload_.emplace(conn_.prepare(
        "INSERT INTO raw.payloads (payload_sha256, codec, dict_id, raw_size, compressed_size, "
        "compressed) VALUES ($1, 'zstd', NULL, $2, $3, $4) ON CONFLICT DO NOTHING"));
  }
  Result inserted = insert_payload_->bind(1, payload.sha256)
                        .bind(2, static_cast<int64_t>(payload.raw_size))
                        .bind(3, static_cast<int64_t>(payload.compressed.size()))
                        .bind_blob(4, payload.compressed)
                        .execute();
  PutResult result;
  result.sha256 = payload.sha256;
  result.stored_new = inserted.rows_changed() > 0;
  result.raw_size = payload.raw_size;
  result.compressed_size = payload.compressed.size();
  result.request_id = insert_request(request, &payload);
  return result;
}

std::string RawStore::record_without_body(const RawRequest& request) {
  return insert_request(request, nullptr);
}

std::string RawStore::insert_request(const RawRequest& request, const PreparedPayload* payload) {
  if (!insert_request_) {
    insert_request_.emplace(conn_.prepare(
        "INSERT INTO raw.api_requests (request_id, task_id, endpoint, url, params, page, "
        "http_status, etag, payload_sha256, payload_size, collected_at, ingestion_date) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::TIMESTAMP, "
        "CAST($11::TIMESTAMP AS DATE))"));
  }
  std::string id = request.request_id.empty() ? random_id() : request.request_id;
  std::string collected = request.collected_at.empty() ? utc_timestamp_now() : request.collected_at;
  auto& stmt = *insert_request_;
  stmt.bind(1, id)
      .bind(2, request.task_id)
      .bind(3, request.endpoint)
      .bind(4, request.url)
      .bind(5, request.params)
      .bind(6, request.page)
      .bind(7, request.http_status)
      .bind(8, request.etag);
  if (payload) {
    stmt.bind(9, payload->sha256).bind(10, static_cast<int64_t>(payload->raw_size));
  } else {
    stmt.bind_null(9).bind_null(10);
  }
  stmt.bind(11, collected).execute();
  return id;
}

std::string RawStore::get(std::string_view sha256) {
  auto stmt = conn_.prepare("SELECT compressed, codec FROM raw.payloads WHERE payload_sha256 = $1");
  Result r = stmt.bind(1, sha256).execute();
  if (r.row_count() == 0) {
    throw failure("no payload with sha256 " + std::string(sha256) +
                  " in raw.payloads (list them with: baliza query \"select payload_sha256 from "
                  "raw.payloads\")");
  }
  std::string codec = r.get_string(1, 0);
  if (codec != "zstd") {
    throw failure("payload " + std::string(sha256) + " uses unknown codec '" + codec + "'");
  }
  std::string body;
  try {
    body = zstd_decompress(r.get_blob(0, 0), options_.max_payload_bytes);
  } catch (const Error& e) {
    throw failure("payload " + std::string(sha256) + " cannot be read: " + e.what());
  }
  std::string actual = sha256_hex(body);
  if (actual != sha256) {
    throw failure("payload " + std::string(sha256) + " is corrupted: its content hashes to " +
                  actual + ". Refetch the page (baliza verify) or restore a backup.");
  }
  return body;
}

std::string RawStore::resolve_prefix(std::string_view prefix) {
  if (prefix.size() < 4 || prefix.size() > 64 ||
      prefix.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    throw usage_error("'" + std::string(prefix) +
                      "' is not a sha256 prefix: give 4 to 64 lowercase hex characters");
  }
  auto stmt = conn_.prepare(
      "SELECT payload_sha256 FROM raw.payloads WHERE starts_with(payload_sha256, $1) "
      "ORDER BY 1 LIMIT 6");
  Result r = stmt.bind(1, prefix).execute();
  if (r.row_count() == 0) {
    throw failure("no payload whose sha256 starts with " + std::string(prefix));
  }
  if (r.row_count() > 1) {
    std::string list;
    for (size_t i = 0; i < r.row_count() && i < 5; ++i) list += "\n  " + r.get_string(0, i);
    throw usage_error("sha256 prefix " + std::string(prefix) + " is ambiguous; it matches:" + list +
                      "\nGive more characters.");
  }
  return r.get_string(0, 0);
}

}  // namespace baliza
