#include "extract/schema_fingerprint.h"

#include <simdjson.h>

#include "core/error.h"
#include "core/sha256.h"
#include "extract/schema_walk.h"

namespace baliza::extract {
namespace {

constexpr std::string_view kHeader = "schema-fingerprint v1";

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

void walk(SchemaFingerprint& fp, const std::string& path, simdjson::dom::element value);

// Objects and arrays are read into named values first: iterating a temporary
// simdjson_result trips g++'s -Wdangling-pointer.
void walk_fields(SchemaFingerprint& fp, const std::string& prefix, simdjson::dom::element value) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return;
  for (auto field : object) {
    walk(fp, prefix.empty() ? std::string(field.key) : prefix + "." + std::string(field.key),
         field.value);
  }
}

void walk(SchemaFingerprint& fp, const std::string& path, simdjson::dom::element value) {
  fp.add_type(path, type_name(value.type()));
  if (value.is_object()) {
    walk_fields(fp, path, value);
  } else if (value.is_array()) {
    simdjson::dom::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) return;
    for (auto element : array) walk(fp, path + "[]", element);
  }
}

simdjson::dom::element parse_or_throw(simdjson::dom::parser& parser, std::string_view json,
                                      const char* what) {
  simdjson::dom::element root;
  const auto code = parser.parse(json.data(), json.size(), true).get(root);
  if (code != simdjson::SUCCESS) {
    throw failure(std::string("schema fingerprint: cannot parse ") + what + ": " +
                  simdjson::error_message(code));
  }
  return root;
}

// Paths are written one per line and end at a tab, so a key holding a tab, a line break or a
// backslash (JSON allows them) is escaped in text() and unescaped by from_text(); any other
// path is written as it is.
std::string escape_path(const std::string& path) {
  if (path.find_first_of("\\\t\n\r") == std::string::npos) return path;
  std::string out;
  for (char c : path) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string unescape_path(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char c = text[++i];
    out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
  }
  return out;
}

std::set<std::string> non_null(const std::set<std::string>& types) {
  std::set<std::string> out = types;
  out.erase("null");
  return out;
}

}  // namespace

// Records contribute their fields, not the record itself (the root path would be "").
void add_record_element(SchemaFingerprint& fp, simdjson::dom::element record) {
  if (record.is_object()) {
    walk_fields(fp, "", record);
  } else {
    walk(fp, "(record)", record);
  }
}

void SchemaFingerprint::add_page(std::string_view page_body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parse_or_throw(parser, page_body, "the page body");
  simdjson::dom::array data;
  // A bare array (endpoints.yaml body: array) is the records themselves.
  if (root.get_array().get(data) != simdjson::SUCCESS &&
      root["data"].get_array().get(data) != simdjson::SUCCESS) {
    throw failure("schema fingerprint: the page body has no `data` array");
  }
  for (auto record : data) add_record_element(*this, record);
}

void SchemaFingerprint::add_record(std::string_view record_json) {
  simdjson::dom::parser parser;
  add_record_element(*this, parse_or_throw(parser, record_json, "a record"));
}

std::string join_types(const std::set<std::string>& types) {
  std::string out;
  for (const auto& t : types) {
    if (t == "null") continue;
    if (!out.empty()) out += '|';
    out += t;
  }
  if (types.count("null")) out += out.empty() ? "null" : "|null";
  return out;
}

std::string SchemaFingerprint::text() const {
  std::string out(kHeader);
  out += '\n';
  for (const auto& [path, types] : fields_) {
    out += escape_path(path);
    out += '\t';
    out += join_types(types);
    out += '\n';
  }
  return out;
}

std::string SchemaFingerprint::sha256() const {
  return sha256_hex(text());
}

SchemaFingerprint SchemaFingerprint::from_text(std::string_view text) {
  SchemaFingerprint fp;
  bool first = true;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (first) {
      first = false;
      if (line != kHeader)
        throw failure("schema fingerprint: unknown text format: " + std::string(line));
      continue;
    }
    const auto tab = line.find('\t');
    if (line.empty() || tab == std::string_view::npos) {
      throw failure("schema fingerprint: malformed line: " + std::string(line));
    }
    auto& types = fp.fields_[unescape_path(line.substr(0, tab))];
    std::string_view rest = line.substr(tab + 1);
    while (!rest.empty()) {
      const auto bar = rest.find('|');
      types.insert(std::string(rest.substr(0, bar)));
      rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
    }
  }
  return fp;
}

SchemaDiff diff_fingerprints(const SchemaFingerprint& before, const SchemaFingerprint& after) {
  SchemaDiff diff;
  const auto& a = before.fields();
  const auto& b = after.fields();
  for (const auto& [path, types] : b) {
    auto it = a.find(path);
    if (it == a.end()) {
      diff.added.push_back({path, "", join_types(types)});
      continue;
    }
    const auto old_types = non_null(it->second);
    const auto new_types = non_null(types);
    if (!old_types.empty() && !new_types.empty() && old_types != new_types) {
      diff.type_changed.push_back({path, join_types(it->second), join_types(types)});
    }
  }
  for (const auto& [path, types] : a) {
    if (!b.count(path)) diff.removed.push_back({path, join_types(types), ""});
  }
  return diff;
}

std::string SchemaDiff::describe() const {
  std::string out;
  for (const auto& c : added) out += "+ " + c.path + ": " + c.after + "\n";
  for (const auto& c : removed) out += "- " + c.path + ": " + c.before + "\n";
  for (const auto& c : type_changed) {
    out += "~ " + c.path + ": " + c.before + " -> " + c.after + "\n";
  }
  return out;
}

}  // namespace baliza::extract
