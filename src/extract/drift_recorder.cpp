#include "extract/drift_recorder.h"

#include <simdjson.h>

#include "core/error.h"
#include "extract/schema_walk.h"

namespace baliza::extract {
namespace {

bool has_type(const SchemaFingerprint& fp, const std::string& path, const char* type) {
  auto it = fp.fields().find(path);
  return it != fp.fields().end() && it->second.count(type) > 0;
}

// An added or removed path means something only when its parent was seen as an object on
// both sides (top-level keys always do).
bool structural(const SchemaFingerprint& a, const SchemaFingerprint& b, const std::string& path) {
  if (path.size() >= 2 && path.compare(path.size() - 2, 2, "[]") == 0) return false;
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos) return true;
  const std::string parent = path.substr(0, dot);
  return has_type(a, parent, "object") && has_type(b, parent, "object");
}

void merge_into(SchemaFingerprint& target, const SchemaFingerprint& source) {
  for (const auto& [path, types] : source.fields()) {
    for (const auto& type : types) target.add_type(path, type.c_str());
  }
}

}  // namespace

SchemaFingerprint sample_page_fingerprint(std::string_view body, std::size_t max_records) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    throw failure("page body is not valid JSON");
  }
  simdjson::dom::array data;
  // A bare array (endpoints.yaml body: array) is the records themselves.
  if (root.get_array().get(data) != simdjson::SUCCESS &&
      root["data"].get_array().get(data) != simdjson::SUCCESS) {
    throw failure("page body has no 'data' array");
  }
  SchemaFingerprint fp;
  const std::size_t n = data.size();
  if (n == 0 || max_records == 0) return fp;
  const std::size_t step = n <= max_records ? 1 : n / max_records;
  std::size_t index = 0, taken = 0;
  for (auto record : data) {
    if (index++ % step == 0 && taken < max_records) {
      add_record_element(fp, record);
      ++taken;
    }
  }
  return fp;
}

SchemaDiff significant_changes(const SchemaFingerprint& before, const SchemaFingerprint& after) {
  SchemaDiff all = diff_fingerprints(before, after);
  SchemaDiff out;
  out.type_changed = all.type_changed;
  for (auto& c : all.added)
    if (structural(before, after, c.path)) out.added.push_back(c);
  for (auto& c : all.removed)
    if (structural(before, after, c.path)) out.removed.push_back(c);
  return out;
}

void DriftRecorder::add_known(const std::string& endpoint, const std::string& structure) {
  std::lock_guard lock(mutex_);
  versions_[endpoint].push_back(SchemaFingerprint::from_text(structure));
}

std::optional<SchemaVersion> DriftRecorder::observe(const std::string& endpoint,
                                                    const SchemaFingerprint& page) {
  if (page.empty()) return std::nullopt;  // an empty page shows no shape
  std::lock_guard lock(mutex_);
  auto& known = versions_[endpoint];
  const SchemaFingerprint* closest = nullptr;
  SchemaDiff closest_diff;
  size_t closest_size = SIZE_MAX;
  for (auto& version : known) {
    SchemaDiff d = significant_changes(version, page);
    if (d.empty()) {
      merge_into(version, page);
      return std::nullopt;
    }
    const size_t size = d.added.size() + d.removed.size() + d.type_changed.size();
    if (size < closest_size) {
      closest_size = size;
      closest = &version;
      closest_diff = std::move(d);
    }
  }
  SchemaVersion v;
  v.endpoint = endpoint;
  v.structure = page.text();
  v.fingerprint = page.sha256();
  v.baseline = closest == nullptr;
  if (closest) v.changes = closest_diff.describe();
  known.push_back(page);
  return v;
}

}  // namespace baliza::extract
