// The envelope of one PNCP page: {data: [...], totalRegistros, totalPaginas, numeroPagina,
// paginasRestantes, empty}. Parsing validates the whole body as JSON (simdjson), so a body
// cut short by a dropped connection is caught here and can be retried, distinct from a body
// that is complete but not valid JSON (invalid UTF-8 included). Envelope numbers are optional:
// some endpoints and recordings carry only `data`; present, they may be integers, integral
// floats or strings of digits ("25"); anything else in totalRegistros/totalPaginas makes the
// body kNotAPage (a page whose total cannot be read cannot be proved complete).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baliza::extract {

enum class EnvelopeError {
  kNone,
  kEmptyBody,    // nothing to parse (callers treat 204/empty bodies before parsing)
  kTruncated,    // the JSON stops early: unclosed string, object or array
  kInvalidJson,  // complete but malformed JSON
  kNotAPage,     // valid JSON, but not an object with a `data` array
};
const char* envelope_error_name(EnvelopeError e);

struct PageEnvelope {
  std::optional<std::int64_t> total_registros;
  std::optional<std::int64_t> total_paginas;
  std::optional<std::int64_t> numero_pagina;
  std::optional<std::int64_t> paginas_restantes;
  std::optional<bool> empty;
  std::size_t record_count = 0;  // elements of `data` (of the array, for a bare array)
  bool bare_array = false;       // the body was a bare JSON array (no envelope numbers)
  // A hash of each record (of `data`, or of the bare array), in order: the task machine finds
  // a record served on two pages of one task with them (task_state.h). Empty for a count.
  std::vector<std::uint64_t> record_hashes;
};

struct EnvelopeParse {
  EnvelopeError error = EnvelopeError::kNone;
  std::string message;  // what is wrong, with the parser's own words
  PageEnvelope envelope;
  bool ok() const { return error == EnvelopeError::kNone; }
};

// Thread-safe (one parser per thread). With `array_body` (endpoints.yaml `body: array`, e.g.
// the items of a purchase) the page must be a bare JSON array of records instead.
EnvelopeParse parse_page_envelope(std::string_view body, bool array_body = false);

// The record hashes of a stored body: an envelope page, else a bare array; empty when it is
// neither (then its records cannot be compared). Thread-safe.
std::vector<std::uint64_t> record_hashes_of(std::string_view body);

// A count of records (endpoints.yaml count_path, e.g. a purchase's .../itens/quantidade): the
// body must be one non-negative JSON integer; it becomes total_registros (record_count 0).
// Anything else (an HTML throttle page, an object) is kNotAPage.
EnvelopeParse parse_count_body(std::string_view body);

}  // namespace baliza::extract
