#include "extract/raw_tables.h"

#include <unordered_set>

#include "core/clock.h"

namespace baliza {
namespace {

// Hashes among `rows`' bodies that raw.payloads already has (one indexed lookup).
std::unordered_set<std::string> stored_payloads(Connection& conn, const std::vector<RawRow>& rows) {
  std::string list;
  for (const RawRow& r : rows) {
    if (r.payload) list += (list.empty() ? "" : ", ") + quote_literal(r.payload->sha256);
  }
  std::unordered_set<std::string> found;
  if (list.empty()) return found;
  Result r =
      conn.query("SELECT payload_sha256 FROM raw.payloads WHERE payload_sha256 IN (" + list + ")");
  for (size_t i = 0; i < r.row_count(); ++i) found.insert(r.get_string(0, i));
  return found;
}

}  // namespace

std::vector<RawRowWritten> append_raw_rows(Connection& conn, const std::vector<RawRow>& rows) {
  std::vector<RawRowWritten> written(rows.size());
  if (rows.empty()) return written;
  std::unordered_set<std::string> seen = stored_payloads(conn, rows);
  const std::string now = utc_timestamp_now();
  Appender payloads = conn.appender("raw", "payloads");
  Appender requests = conn.appender("raw", "api_requests");
  for (size_t i = 0; i < rows.size(); ++i) {
    const RawRequest& q = *rows[i].request;
    const PreparedPayload* p = rows[i].payload;
    const std::string& collected = q.collected_at.empty() ? now : q.collected_at;
    written[i].request_id = q.request_id.empty() ? random_id() : q.request_id;
    if (p && seen.insert(p->sha256).second) {
      written[i].stored_new = true;
      // payload_sha256, codec, dict_id, raw_size, compressed_size, compressed, stored_at
      payloads.append(p->sha256)
          .append("zstd")
          .append_null()
          .append(static_cast<int64_t>(p->raw_size))
          .append(static_cast<int64_t>(p->compressed.size()))
          .append_blob(p->compressed)
          .append(collected);
      payloads.end_row();
    }
    // request_id, task_id, endpoint, url, params, page, http_status, etag, payload_sha256,
    // payload_size, collected_at, ingestion_date
    requests.append(written[i].request_id)
        .append(q.task_id)
        .append(q.endpoint)
        .append(q.url)
        .append(q.params)
        .append(q.page ? std::optional<int64_t>(*q.page) : std::nullopt)
        .append(static_cast<int64_t>(q.http_status))
        .append(q.etag);
    if (p) {
      requests.append(p->sha256).append(static_cast<int64_t>(p->raw_size));
    } else {
      requests.append_null().append_null();
    }
    requests.append(collected).append(collected.substr(0, 10));
    requests.end_row();
  }
  payloads.close();
  requests.close();
  return written;
}

}  // namespace baliza
