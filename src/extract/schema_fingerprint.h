// A structural fingerprint of API records, to notice when an endpoint changes shape (drift).
//
// The fingerprint is the set of (key path, JSON types seen) over all records added:
//   - paths join object keys with '.': "orgaoEntidade.cnpj";
//   - an array at path p is recorded as type "array" at p, and its elements are summarized at
//     "p[]" (objects inside recurse to "p[].key"), whatever their number or position;
//   - types are "string", "number" (integers and decimals alike, because 7000 and 7000.5 in the
//     same money field must not look like drift), "boolean", "object", "array", "null";
//   - types are unioned across records, so null never erases a type seen elsewhere: a field
//     that is a string in one record and null in another is "string|null". Non-null types are
//     sorted by name and "null" comes last.
// Key order and record order do not matter. text() is one "path<TAB>types" line per path,
// sorted by path, after a "schema-fingerprint v1" header (a tab, line break or backslash inside
// a key is escaped as \t, \n, \\); sha256() hashes that text.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace baliza::extract {

class SchemaFingerprint {
 public:
  // Adds every record of a page body's `data` array. Throws baliza::Error (failure) if the
  // body is not a JSON object with a `data` array.
  void add_page(std::string_view page_body);
  // Adds one record given as JSON text (normally an object).
  void add_record(std::string_view record_json);

  std::string text() const;
  std::string sha256() const;
  bool empty() const { return fields_.empty(); }
  // path -> types, as in text().
  const std::map<std::string, std::set<std::string>>& fields() const { return fields_; }

  // Reads text() back, e.g. a fingerprint stored in meta.schema_versions.
  static SchemaFingerprint from_text(std::string_view text);

  // Used by the implementation while walking a record.
  void add_type(const std::string& path, const char* type) { fields_[path].insert(type); }

 private:
  std::map<std::string, std::set<std::string>> fields_;
};

struct SchemaChange {
  std::string path;
  std::string before;  // "string|null"; empty for an added field
  std::string after;   // empty for a removed field
};

// What changed from `before` to `after`. A type change is a change of the non-null types;
// a side that only ever saw null is compatible with anything, since a page where an optional
// field happens to be null everywhere is not drift.
struct SchemaDiff {
  std::vector<SchemaChange> added;
  std::vector<SchemaChange> removed;
  std::vector<SchemaChange> type_changed;
  bool empty() const { return added.empty() && removed.empty() && type_changed.empty(); }
  // One line per change ("+ path: type", "- path: type", "~ path: before -> after").
  std::string describe() const;
};

SchemaDiff diff_fingerprints(const SchemaFingerprint& before, const SchemaFingerprint& after);

// Formats a type set as in text(): "number|string|null".
std::string join_types(const std::set<std::string>& types);

}  // namespace baliza::extract
