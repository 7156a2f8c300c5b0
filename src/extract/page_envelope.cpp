#include "extract/page_envelope.h"

#include <simdjson.h>

#include <fmt/format.h>

namespace baliza::extract {
namespace {

// True if the body stops inside a string or with objects/arrays still open. simdjson's DOM
// parser reports most early ends as a generic TAPE_ERROR, so this scan (run only on the
// error path) tells a cut-off body from a malformed one.
bool looks_truncated(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
  }
  return in_string || depth > 0;
}

std::optional<std::int64_t> read_int(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  std::int64_t n = 0;
  if (value.get_int64().get(n) == simdjson::SUCCESS) return n;
  double d = 0;  // some serializers write 89.0
  if (value.get_double().get(d) == simdjson::SUCCESS) return static_cast<std::int64_t>(d);
  return std::nullopt;
}

std::optional<bool> read_bool(simdjson::dom::object object, std::string_view key) {
  bool b = false;
  if (object.at_key(key).get_bool().get(b) != simdjson::SUCCESS) return std::nullopt;
  return b;
}

}  // namespace

const char* envelope_error_name(EnvelopeError e) {
  switch (e) {
    case EnvelopeError::kNone:
      return "none";
    case EnvelopeError::kEmptyBody:
      return "empty body";
    case EnvelopeError::kTruncated:
      return "truncated JSON";
    case EnvelopeError::kInvalidJson:
      return "invalid JSON";
    case EnvelopeError::kNotAPage:
      return "not a page";
  }
  return "unknown";
}

namespace {

// Parses `body` into `root` (valid until this thread's next parse); false with `result`'s
// error set when the body is empty or not JSON (truncated or invalid).
bool parse_json_body(std::string_view body, simdjson::dom::element& root, EnvelopeParse& result) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    result.error = EnvelopeError::kEmptyBody;
    result.message = "the body is empty";
    return false;
  }
  thread_local simdjson::dom::parser parser;
  // realloc_if_needed=true: simdjson copies into a padded buffer when it must.
  const auto code = parser.parse(body.data(), body.size(), true).get(root);
  if (code != simdjson::SUCCESS) {
    result.error = looks_truncated(body) ? EnvelopeError::kTruncated : EnvelopeError::kInvalidJson;
    result.message = fmt::format("{} ({} bytes)", simdjson::error_message(code), body.size());
    return false;
  }
  return true;
}

}  // namespace

EnvelopeParse parse_page_envelope(std::string_view body, bool array_body) {
  EnvelopeParse result;
  simdjson::dom::element root;
  if (!parse_json_body(body, root, result)) return result;
  simdjson::dom::object object;
  simdjson::dom::array data;
  if (array_body) {
    if (root.get_array().get(data) != simdjson::SUCCESS) {
      result.error = EnvelopeError::kNotAPage;
      result.message = "expected a JSON array of records (endpoints.yaml body: array)";
      return result;
    }
    result.envelope.record_count = data.size();
    result.envelope.bare_array = true;
    return result;
  }
  if (root.get_object().get(object) != simdjson::SUCCESS ||
      object.at_key("data").get_array().get(data) != simdjson::SUCCESS) {
    result.error = EnvelopeError::kNotAPage;
    result.message = "expected a JSON object with a `data` array";
    return result;
  }
  PageEnvelope& e = result.envelope;
  e.record_count = data.size();
  e.total_registros = read_int(object, "totalRegistros");
  e.total_paginas = read_int(object, "totalPaginas");
  e.numero_pagina = read_int(object, "numeroPagina");
  e.paginas_restantes = read_int(object, "paginasRestantes");
  e.empty = read_bool(object, "empty");
  return result;
}

EnvelopeParse parse_count_body(std::string_view body) {
  EnvelopeParse result;
  simdjson::dom::element root;
  if (!parse_json_body(body, root, result)) return result;
  std::int64_t n = -1;
  if (root.get_int64().get(n) != simdjson::SUCCESS || n < 0) {
    result.error = EnvelopeError::kNotAPage;
    result.message = "expected a count: one non-negative JSON integer (endpoints.yaml count_path)";
    return result;
  }
  result.envelope.total_registros = n;
  result.envelope.bare_array = true;
  return result;
}

}  // namespace baliza::extract
