// Strict reading of a seed's CSV text before DuckDB loads it: RFC 4180 with a configurable
// delimiter (dbt's `delimiter` config, default ','), '"' quotes and "" inside quotes. Every row
// must have as many fields as the header; a quoted field must be closed, and its closing quote
// followed by a delimiter or the end of the line. A UTF-8 byte-order mark, CRLF line ends and
// a missing last newline are accepted; blank lines are skipped.
//
// Errors are usage errors (the project is wrong, exit 2 from the loader... exit 1 when it
// happens while a run loads the seed) naming file:line and how to fix it, e.g.
//   seeds/orders.csv:4: row has 2 fields, the header has 3; add the missing field (an empty
//   one is NULL) or quote a value that contains ','
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace baliza::transform {

struct CsvShape {
  std::vector<std::string> header;
  std::size_t rows = 0;  // data rows
};

CsvShape check_seed_csv(std::string_view text, char delimiter, const std::string& file);

}  // namespace baliza::transform
