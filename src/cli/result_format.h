// Renders a query result for people (an aligned table) or machines (CSV, JSON).
#pragma once

#include <string>

#include "db/database.h"
#include "db/text_table.h"

namespace baliza::cli {

enum class ResultFormat { kTable, kCsv, kJson };

ResultFormat parse_result_format(const std::string& name);
// Table mode fits each row in `max_width` terminal columns (0: no limit): the widest columns
// are narrowed (never below 8) and cut values end with '…'. CSV and JSON are never cut.
std::string format_result(Result& result, ResultFormat format, size_t max_width = 0);
std::string format_result(const TextTable& result, ResultFormat format, size_t max_width = 0);

// Columns of the terminal: $COLUMNS when set, else the width of stdout when it is a terminal,
// else 0 (output to a pipe or a file is not cut).
size_t terminal_width();

}  // namespace baliza::cli
