#include "extract/page_envelope.h"

#include <simdjson.h>

#include <charconv>
#include <cstring>
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

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {  // order-sensitive combine (splitmix64)
  std::uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t text_hash(std::string_view s) {
  return static_cast<std::uint64_t>(std::hash<std::string_view>{}(s));
}

// A hash of one JSON value's content (types, keys in order, values), walked in place: no text
// is built. The same record served twice hashes the same, whatever its spacing.
std::uint64_t value_hash(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      std::uint64_t h = 1;
      for (auto field : simdjson::dom::object(e)) {
        h = mix(h, text_hash(field.key));
        h = mix(h, value_hash(field.value));
      }
      return h;
    }
    case element_type::ARRAY: {
      std::uint64_t h = 2;
      for (simdjson::dom::element child : simdjson::dom::array(e)) h = mix(h, value_hash(child));
      return h;
    }
    case element_type::STRING:
      return mix(3, text_hash(std::string_view(e)));
    case element_type::INT64:
      return mix(4, static_cast<std::uint64_t>(std::int64_t(e)));
    case element_type::UINT64:
      return mix(5, std::uint64_t(e));
    case element_type::DOUBLE: {
      const double d = double(e);
      std::uint64_t bits = 0;
      std::memcpy(&bits, &d, sizeof bits);
      return mix(6, bits);
    }
    case element_type::BOOL:
      return mix(7, bool(e) ? 1 : 0);
    case element_type::NULL_VALUE:
      return 8;
  }
  return 9;
}

// One hash per record (see value_hash).
std::vector<std::uint64_t> record_hashes(simdjson::dom::array data) {
  std::vector<std::uint64_t> out;
  out.reserve(data.size());
  for (simdjson::dom::element record : data) out.push_back(value_hash(record));
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

std::vector<std::uint64_t> record_hashes_of(std::string_view body) {
  EnvelopeParse parse = parse_page_envelope(body);
  if (!parse.ok()) parse = parse_page_envelope(body, true);
  if (!parse.ok()) return {};
  return std::move(parse.envelope.record_hashes);
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
