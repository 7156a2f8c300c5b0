#include "cli/result_format.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <vector>

#include "core/error.h"
#include "core/log.h"

namespace baliza::cli {
namespace {

bool is_numeric(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return true;
    default:
      return false;
  }
}

// Display width in terminal columns: counts UTF-8 code points, not bytes.
size_t display_width(const std::string& s) {
  size_t width = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

// The first `width` display columns of `s` (whole UTF-8 code points).
std::string take_width(const std::string& s, size_t width) {
  size_t seen = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == width) break;
      ++seen;
    }
  }
  return s.substr(0, i);
}

// Narrows the widest columns, one column of text at a time, until the row fits `max_width`
// (0: no limit); no column goes below 8 (or its header's width if smaller).
void fit_widths(std::vector<size_t>& width, size_t max_width) {
  if (max_width == 0 || width.empty()) return;
  auto total = [&] {
    size_t t = 2 * (width.size() - 1);
    for (size_t w : width) t += w;
    return t;
  };
  while (total() > max_width) {
    auto widest = std::max_element(width.begin(), width.end());
    if (*widest <= 8) break;
    --*widest;
  }
}

std::string format_table(const TextTable& r, size_t max_width) {
  size_t cols = r.column_count(), rows = r.row_count();
  std::vector<std::vector<std::string>> cells(rows + 1, std::vector<std::string>(cols));
  std::vector<size_t> width(cols, 0);
  for (size_t c = 0; c < cols; ++c) {
    cells[0][c] = r.names[c];
    for (size_t row = 0; row < rows; ++row) {
      std::string v = r.is_null(c, row) ? "NULL" : r.text(c, row);
      for (char& ch : v) {
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
      }
      cells[row + 1][c] = std::move(v);
    }
    for (const auto& line : cells) width[c] = std::max(width[c], display_width(line[c]));
  }
  std::vector<size_t> full = width;
  fit_widths(width, max_width);
  for (size_t c = 0; c < cols; ++c) {
    if (width[c] == full[c]) continue;
    for (auto& line : cells) {
      // Cut values are marked with an ellipsis, as DuckDB's CLI does.
      if (display_width(line[c]) > width[c]) line[c] = take_width(line[c], width[c] - 1) + "\u2026";
    }
  }
  std::string out;
  auto emit_row = [&](const std::vector<std::string>& line, bool header) {
    for (size_t c = 0; c < cols; ++c) {
      std::string pad(width[c] - display_width(line[c]), ' ');
      bool right = !header && is_numeric(r.types[c]);
      // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on `pad + line[c]`.
      if (right) {
        out.append(pad).append(line[c]);
      } else {
        out.append(line[c]);
        if (c + 1 < cols) out.append(pad);
      }
      if (c + 1 < cols) out += "  ";
    }
    out += "\n";
  };
  emit_row(cells[0], true);
  for (size_t c = 0; c < cols; ++c) {
    out += std::string(width[c], '-') + (c + 1 < cols ? "  " : "\n");
  }
  for (size_t row = 0; row < rows; ++row) emit_row(cells[row + 1], false);
  out.append("(").append(std::to_string(rows)).append(rows == 1 ? " row)\n" : " rows)\n");
  return out;
}

std::string format_csv(const TextTable& r) {
  size_t cols = r.column_count(), rows = r.row_count();
  std::string out;
  for (size_t c = 0; c < cols; ++c) out.append(c ? "," : "").append(csv_field(r.names[c]));
  out += "\n";
  for (size_t row = 0; row < rows; ++row) {
    for (size_t c = 0; c < cols; ++c) {
      if (c) out += ",";
      if (!r.is_null(c, row)) out += csv_field(r.text(c, row));
    }
    out += "\n";
  }
  return out;
}

std::string format_json(const TextTable& r) {
  size_t cols = r.column_count(), rows = r.row_count();
  std::vector<std::string> names(cols);
  for (size_t c = 0; c < cols; ++c) {
    names[c].clear();
    append_json_string(names[c], r.names[c]);
  }
  std::string out = "[";
  for (size_t row = 0; row < rows; ++row) {
    out += row ? ",\n {" : "\n {";
    for (size_t c = 0; c < cols; ++c) {
      if (c) out += ", ";
      out += names[c] + ": ";
      duckdb_type type = r.types[c];
      if (r.is_null(c, row)) {
        out += "null";
      } else if (type == DUCKDB_TYPE_BOOLEAN) {
        out += r.text(c, row) == "true" ? "true" : "false";
      } else if (is_numeric(type)) {
        std::string v = r.text(c, row);
        bool finite = v.find_first_not_of("0123456789.-+eE") == std::string::npos;
        if (finite) {
          out += v;
        } else {
          append_json_string(out, v);
        }
      } else {
        append_json_string(out, r.text(c, row));
      }
    }
    out += "}";
  }
  out += rows ? "\n]\n" : "]\n";
  return out;
}

}  // namespace

ResultFormat parse_result_format(const std::string& name) {
  if (name == "table") return ResultFormat::kTable;
  if (name == "csv") return ResultFormat::kCsv;
  if (name == "json") return ResultFormat::kJson;
  throw usage_error("unknown format '" + name + "': use table, csv or json");
}

std::string format_result(Result& result, ResultFormat format, size_t max_width) {
  return format_result(to_text_table(result), format, max_width);
}

std::string format_result(const TextTable& result, ResultFormat format, size_t max_width) {
  switch (format) {
    case ResultFormat::kCsv:
      return format_csv(result);
    case ResultFormat::kJson:
      return format_json(result);
    case ResultFormat::kTable:
      break;
  }
  return format_table(result, max_width);
}

size_t terminal_width() {
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr && *columns != '\0') {
    char* end = nullptr;
    long n = std::strtol(columns, &end, 10);
    if (end != nullptr && *end == '\0' && n > 0) return static_cast<size_t>(n);
  }
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 0;
}

}  // namespace baliza::cli
