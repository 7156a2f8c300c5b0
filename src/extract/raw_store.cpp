#include "extract/raw_store.h"

#include "core/clock.h"
#include "core/error.h"
#include "core/sha256.h"
#include "core/zstd_codec.h"
#include "extract/raw_tables.h"

namespace baliza {

RawStore::RawStore(Connection& conn, RawStoreOptions options) : conn_(conn), options_(options) {}

PutResult RawStore::put(const RawRequest& request, std::string_view body) {
  return store(request, prepare_payload(body, options_));
}

PutResult RawStore::store(const RawRequest& request, const PreparedPayload& payload) {
  const std::vector<RawRowWritten> written = append_raw_rows(conn_, {{&request, &payload}});
  PutResult result;
  result.request_id = written[0].request_id;
  result.sha256 = payload.sha256;
  result.stored_new = written[0].stored_new;
  result.raw_size = payload.raw_size;
  result.compressed_size = payload.compressed.size();
  return result;
}

std::string RawStore::record_without_body(const RawRequest& request) {
  return append_raw_rows(conn_, {{&request, nullptr}})[0].request_id;
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
