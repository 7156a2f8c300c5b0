// The structural walk behind SchemaFingerprint, for callers that already hold a parsed
// simdjson document (the drift recorder samples records of a page it parsed once).
#pragma once

#include <simdjson.h>

#include "extract/schema_fingerprint.h"

namespace baliza::extract {

// Adds one record's fields (key paths and JSON types, nested objects and arrays) to fp;
// exactly what SchemaFingerprint::add_record does with the record's text.
void add_record_element(SchemaFingerprint& fp, simdjson::dom::element record);

}  // namespace baliza::extract
