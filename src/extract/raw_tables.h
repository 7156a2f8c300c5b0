// The one encoder of the raw.* tables on DuckDB: raw.payloads (one row per distinct body,
// content-addressed) and raw.api_requests (one row per answered request).
//
// Every writer of those tables goes through append_raw_rows: the extraction's store
// (duckdb_extraction_store.h) in bulk, RawStore (raw_store.h) one request at a time. The column
// order lives here and nowhere else; tests/unit/extract/raw_tables_test.cpp reads every
// column back by name.
//
// Contract: runs inside the caller's transaction (or autocommit), on the connection's only
// writer. A body already in raw.payloads, or repeated within `rows`, is appended once. A
// request without a body (204, an error kept for the record) has NULL payload columns. Throws
// baliza::Error when DuckDB refuses a row; nothing of that call is then committed by itself.
#pragma once

#include <string>
#include <vector>

#include "db/database.h"
#include "extract/raw_payload.h"

namespace baliza {

struct RawRow {
  const RawRequest* request = nullptr;
  const PreparedPayload* payload = nullptr;  // null: the request has no body
};

struct RawRowWritten {
  std::string request_id;   // the request's, or a generated one
  bool stored_new = false;  // its body was not in raw.payloads before
};

// Appends `rows`; returns, for each row in order, its request id and whether its body is new.
std::vector<RawRowWritten> append_raw_rows(Connection& conn, const std::vector<RawRow>& rows);

}  // namespace baliza
