// Schema drift: is this page shaped like a version of its endpoint we already know?
//
// Each endpoint has versions in meta.schema_versions (structure = SchemaFingerprint text). A
// page is fingerprinted from a sample of its records and compared with every known version;
// it matches one when the comparison finds no significant change:
//   - a type change of a field (null is compatible with everything, see diff_fingerprints);
//   - a field added or removed whose parent is an object on both sides (a top-level record
//     key, or a key of a nested object). Paths under an array that happened to be empty, or
//     under an object that happened to be null in every sampled record, prove nothing.
// A matching page widens that version in memory (so "string" and "string|null" pages keep
// matching). A page that matches nothing is a new version: observe() returns it, to be stored
// and logged as a warning naming the changed fields; the first version of an endpoint is not
// drift, just the baseline. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extract/schema_fingerprint.h"

namespace baliza::extract {

// Fingerprint of up to `max_records` records of a page's `data` array, evenly spaced.
// Throws baliza::Error (failure) when the body is not a page.
SchemaFingerprint sample_page_fingerprint(std::string_view body, std::size_t max_records = 32);

// The significant part of diff_fingerprints(before, after), as described above.
SchemaDiff significant_changes(const SchemaFingerprint& before, const SchemaFingerprint& after);

struct SchemaVersion {
  std::string endpoint;
  std::string fingerprint;  // sha256 of structure
  std::string structure;    // SchemaFingerprint::text()
  std::string changes;      // SchemaDiff::describe() against the closest known version
  bool baseline = false;    // the endpoint's first version
};

class DriftRecorder {
 public:
  // A version already stored (loaded at start).
  void add_known(const std::string& endpoint, const std::string& structure);

  // A new version when `page` matches none of the endpoint's known versions.
  std::optional<SchemaVersion> observe(const std::string& endpoint, const SchemaFingerprint& page);

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<SchemaFingerprint>> versions_;
};

}  // namespace baliza::extract
