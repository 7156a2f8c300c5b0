// Days as integers (days since 1970-01-01) and the date formats the PNCP API uses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pncp_sim::detail {

int days_from_civil(int y, int m, int d);
struct Civil {
  int y, m, d;
};
Civil civil_from_days(int day);

// Strict yyyyMMdd with a real calendar date.
std::optional<int> parse_yyyymmdd(std::string_view text);
// yyyyMMdd or yyyy-MM-dd (for the command line).
std::optional<int> parse_date_loose(std::string_view text);

std::string yyyymmdd(int day);                // "20240115"
std::string iso_date(int day);                // "2024-01-15"
std::string timestamp(int day, int seconds);  // "2024-01-15T10:31:02" (no zone, as PNCP)
int weekday(int day);                         // 0 = Sunday
int day_of_year(int day);                     // 1..366
int year_of(int day);
int today_in_brasilia();
// "2025-12-17T12:14:13.697-03:00": the wall clock in Brasilia, as in the API's error bodies.
std::string now_brasilia_iso(const char* offset = "-03:00");

}  // namespace pncp_sim::detail
