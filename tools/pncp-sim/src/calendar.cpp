#include "calendar.h"

#include <chrono>
#include <cstdio>

namespace pncp_sim::detail {

// Howard Hinnant's civil-date algorithms (public domain).
int days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

Civil civil_from_days(int z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {y + (m <= 2), m, d};
}

static std::optional<int> make_day(int y, int m, int d) {
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  int day = days_from_civil(y, m, d);
  Civil back = civil_from_days(day);
  if (back.m != m || back.d != d) return std::nullopt;  // e.g. 20240230
  return day;
}

static bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

static int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::optional<int> parse_yyyymmdd(std::string_view t) {
  if (t.size() != 8 || !all_digits(t)) return std::nullopt;
  return make_day(to_int(t.substr(0, 4)), to_int(t.substr(4, 2)), to_int(t.substr(6, 2)));
}

std::optional<int> parse_date_loose(std::string_view t) {
  if (t.size() == 10 && t[4] == '-' && t[7] == '-') {
    std::string compact =
        std::string(t.substr(0, 4)) + std::string(t.substr(5, 2)) + std::string(t.substr(8, 2));
    return parse_yyyymmdd(compact);
  }
  return parse_yyyymmdd(t);
}

std::string yyyymmdd(int day) {
  Civil c = civil_from_days(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", c.y, c.m, c.d);
  return buf;
}

std::string iso_date(int day) {
  Civil c = civil_from_days(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.y, c.m, c.d);
  return buf;
}

std::string timestamp(int day, int seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
                seconds % 60);
  return iso_date(day) + buf;
}

int weekday(int day) {
  return ((day % 7) + 11) % 7;
}  // 1970-01-01 was a Thursday

int day_of_year(int day) {
  return day - days_from_civil(year_of(day), 1, 1) + 1;
}

int year_of(int day) {
  return civil_from_days(day).y;
}

static long long brasilia_millis() {
  using namespace std::chrono;
  auto utc = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  return utc - 3LL * 3600 * 1000;  // Brasilia has had no daylight saving time since 2019
}

int today_in_brasilia() {
  return static_cast<int>(brasilia_millis() / 86400000LL);
}

std::string now_brasilia_iso(const char* offset) {
  long long ms = brasilia_millis();
  int day = static_cast<int>(ms / 86400000LL);
  long long in_day = ms % 86400000LL;
  char buf[32];
  std::snprintf(buf, sizeof buf, ".%03d%s", static_cast<int>(in_day % 1000), offset);
  return timestamp(day, static_cast<int>(in_day / 1000)) + buf;
}

}  // namespace pncp_sim::detail
