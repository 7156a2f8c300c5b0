// Renders a query result for people (an aligned table) or machines (CSV, JSON).
#pragma once

#include <string>

#include "db/database.h"
#include "db/text_table.h"

namespace baliza::cli {

enum class ResultFormat { kTable, kCsv, kJson };

ResultFormat parse_result_format(const std::string& name);
std::string format_result(Result& result, ResultFormat format);
std::string format_result(const TextTable& result, ResultFormat format);

}  // namespace baliza::cli
