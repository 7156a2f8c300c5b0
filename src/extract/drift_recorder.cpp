#include "extract/drift_recorder.h"

#include <simdjson.h>

#include "core/error.h"

namespace baliza::extract {
namespace {

const char* type_name(simdjson::dom::element_type t) {
  using T = simdjson::dom::element_type;
  switch (t) {
    case T::ARRAY:
      return "array";
    case T::OBJECT:
      return "object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE:
      return "number";
    case T::STRING:
      return "string";
    case T::BOOL:
      return "boolean";
    case T::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

// The same walk as SchemaFingerprint::add_record (see schema_fingerprint.h).
void walk(SchemaFingerprint& fp, const std::string& path, simdjson::dom::element value) {
  fp.add_type(path, type_name(value.type()));
  if (value.is_object()) {
    simdjson::dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) return;
    for (auto field : object) walk(fp, path + "." + std::string(field.key), field.value);
  } else if (value.is_array()) {
    simdjson::dom::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) return;
    for (auto element : array) walk(fp, path + "[]", element);
  }
}

void add_record(SchemaFingerprint& fp, simdjson::dom::element record) {
  simdjson::dom::object object;
  if (record.get_object().get(object) != simdjson::SUCCESS) return;
  for (auto field : object) walk(fp, std::string(field.key), field.value);
}

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
  if (root["data"].get_array().get(data) != simdjson::SUCCESS) {
    throw failure("page body has no 'data' array");
  }
  SchemaFingerprint fp;
  const std::size_t n = data.size();
  if (n == 0 || max_records == 0) return fp;
  const std::size_t step = n <= max_records ? 1 : n / max_records;
  std::size_t index = 0, taken = 0;
  for (auto record : data) {
    if (index++ % step == 0 && taken < max_records) {
      add_record(fp, record);
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
