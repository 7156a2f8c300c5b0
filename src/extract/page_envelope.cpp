#include "extract/page_envelope.h"

#include <simdjson.h>

#include <charconv>
#include <functional>

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

// An envelope number: absent (nullopt), or an integer, a float such as 89.0 (some serializers
// write them so), or a string of decimal digits ("89": some gateways quote numbers). Anything
// else (null, "abc", a negative count) sets `bad`: such a page cannot be told complete.
std::optional<std::int64_t> read_int(simdjson::dom::object object, std::string_view key,
                                     bool& bad) {
  simdjson::dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  std::int64_t n = 0;
  if (value.get_int64().get(n) == simdjson::SUCCESS && n >= 0) return n;
  double d = 0;
  if (value.get_double().get(d) == simdjson::SUCCESS && d >= 0 && d < 9e15 &&
      d == static_cast<double>(static_cast<std::int64_t>(d))) {
    return static_cast<std::int64_t>(d);
  }
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (!text.empty() && ec == std::errc() && end == text.data() + text.size() && n >= 0) return n;
  }
  bad = true;
  return std::nullopt;
}

// One hash per record: of its minified JSON text (so the same record served twice hashes the
// same, whatever the spacing).
std::vector<std::uint64_t> record_hashes(simdjson::dom::array data) {
  std::vector<std::uint64_t> out;
  out.reserve(data.size());
  for (simdjson::dom::element record : data) {
    const std::string text = simdjson::minify(record);
    out.push_back(static_cast<std::uint64_t>(std::hash<std::string>{}(text)));
  }
  return out;
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
    result.envelope.record_hashes = record_hashes(data);
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
  bool bad_total = false, bad_other = false;
  e.total_registros = read_int(object, "totalRegistros", bad_total);
  e.total_paginas = read_int(object, "totalPaginas", bad_total);
  e.numero_pagina = read_int(object, "numeroPagina", bad_other);
  e.paginas_restantes = read_int(object, "paginasRestantes", bad_other);
  e.empty = read_bool(object, "empty");
  if (bad_total) {
    result.error = EnvelopeError::kNotAPage;
    result.message =
        "totalRegistros or totalPaginas is not a non-negative number (nor a string of digits): "
        "the page cannot be told complete";
    return result;
  }
  e.record_hashes = record_hashes(data);
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
