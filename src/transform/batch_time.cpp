#include "transform/batch_time.h"

#include <cctype>
#include <cstdio>

#include "core/ascii_digits.h"

namespace baliza::transform {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;

std::chrono::year_month_day ymd_of(UtcTime t) {
  return std::chrono::year_month_day{std::chrono::floor<days>(t)};
}

}  // namespace

std::optional<BatchSize> parse_batch_size(std::string_view text) {
  if (text == "hour") return BatchSize::kHour;
  if (text == "day") return BatchSize::kDay;
  if (text == "month") return BatchSize::kMonth;
  if (text == "year") return BatchSize::kYear;
  return std::nullopt;
}

std::string_view to_string(BatchSize size) {
  switch (size) {
    case BatchSize::kHour:
      return "hour";
    case BatchSize::kDay:
      return "day";
    case BatchSize::kMonth:
      return "month";
    case BatchSize::kYear:
      return "year";
  }
  return "day";
}

std::optional<UtcTime> parse_utc_time(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  auto y = read_digits(s, 0, 4);
  auto mo = read_digits(s, 5, 2);
  auto d = read_digits(s, 8, 2);
  if (!y || !mo || !d || s[4] != '-' || s[7] != '-') return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(*y),
                                   std::chrono::month(static_cast<unsigned>(*mo)),
                                   std::chrono::day(static_cast<unsigned>(*d))};
  if (!date.ok()) return std::nullopt;
  UtcTime t = sys_days(date);
  std::size_t at = 10;
  if (at < s.size() && (s[at] == 'T' || s[at] == ' ')) {
    auto h = read_digits(s, at + 1, 2);
    auto mi = read_digits(s, at + 4, 2);
    if (!h || !mi || s[at + 3] != ':' || *h > 23 || *mi > 59) return std::nullopt;
    t += hours(*h) + minutes(*mi);
    at += 6;
    if (at < s.size() && s[at] == ':') {
      auto sec = read_digits(s, at + 1, 2);
      if (!sec || *sec > 59) return std::nullopt;
      t += seconds(*sec);
      at += 3;
      if (at < s.size() && s[at] == '.') {
        ++at;
        long long frac = 0;
        int n = 0;
        while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) {
          if (n < 6) {
            frac = frac * 10 + (s[at] - '0');
            ++n;
          }
          ++at;
        }
        if (n == 0) return std::nullopt;
        for (; n < 6; ++n) frac *= 10;
        t += microseconds(frac);
      }
    }
  }
  if (at == s.size()) return t;
  if (s[at] == 'Z' && at + 1 == s.size()) return t;
  if (s[at] == '+' || s[at] == '-') {
    int sign = s[at] == '+' ? 1 : -1;
    auto oh = read_digits(s, at + 1, 2);
    if (!oh) return std::nullopt;
    int om = 0;
    std::size_t rest = at + 3;
    if (rest < s.size()) {
      if (s[rest] == ':') ++rest;
      auto m = read_digits(s, rest, 2);
      if (!m || rest + 2 != s.size()) return std::nullopt;
      om = *m;
    }
    // 10:00+02:00 is 08:00 UTC.
    return t - sign * (hours(*oh) + minutes(om));
  }
  return std::nullopt;
}

UtcTime utc_now() {
  return std::chrono::floor<microseconds>(std::chrono::system_clock::now());
}

UtcTime truncate_time(UtcTime t, BatchSize size) {
  switch (size) {
    case BatchSize::kHour:
      return std::chrono::floor<hours>(t);
    case BatchSize::kDay:
      return std::chrono::floor<days>(t);
    case BatchSize::kMonth: {
      auto ymd = ymd_of(t);
      return sys_days(ymd.year() / ymd.month() / 1);
    }
    case BatchSize::kYear:
      return sys_days(ymd_of(t).year() / 1 / 1);
  }
  return t;
}

UtcTime offset_time(UtcTime t, BatchSize size, int n) {
  UtcTime start = truncate_time(t, size);
  switch (size) {
    case BatchSize::kHour:
      return start + hours(n);
    case BatchSize::kDay:
      return start + days(n);
    case BatchSize::kMonth: {
      auto ymd = ymd_of(start);
      return sys_days((ymd.year() / ymd.month() / 1) + std::chrono::months(n));
    }
    case BatchSize::kYear:
      return sys_days((ymd_of(start).year() + std::chrono::years(n)) / 1 / 1);
  }
  return start;
}

UtcTime ceiling_time(UtcTime t, BatchSize size) {
  UtcTime start = truncate_time(t, size);
  return start == t ? t : offset_time(start, size, 1);
}

std::string format_utc_time(UtcTime t) {
  auto day = std::chrono::floor<days>(t);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss<microseconds> tod{t - day};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()));
  std::string out = buf;
  if (auto us = tod.subseconds().count(); us != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
    out += buf;
  }
  return out;
}

std::string iso_utc_time(UtcTime t) {
  std::string s = format_utc_time(t);
  s[10] = 'T';
  return s + "+00:00";
}

std::string sql_timestamp(UtcTime t) {
  return "TIMESTAMP '" + format_utc_time(t) + "'";
}

std::string batch_label(UtcTime start, BatchSize size) {
  std::string s = format_utc_time(start);
  switch (size) {
    case BatchSize::kYear:
      return s.substr(0, 4);
    case BatchSize::kMonth:
      return s.substr(0, 7);
    case BatchSize::kDay:
      return s.substr(0, 10);
    case BatchSize::kHour:
      return s.substr(0, 10) + "T" + s.substr(11, 2);
  }
  return s;
}

}  // namespace baliza::transform
