// SQL functions over the raw store, registered on every connection Baliza opens, so staging
// models can be plain SQL over raw.payloads:
//   baliza_payload(compressed BLOB) -> VARCHAR   the decompressed page body
// e.g. SELECT baliza_payload(p.compressed)::JSON FROM raw.api_requests r
//        JOIN raw.payloads p USING (payload_sha256)
// A corrupted blob or one past the size limit fails the query with a clear message.
#pragma once

#include <cstddef>

#include "db/database.h"

namespace baliza {

void register_payload_functions(Connection& conn, size_t max_payload_bytes);

}  // namespace baliza
