#include "plan/window.h"

#include <algorithm>
#include <ctime>

#include "core/ascii_digits.h"
#include "core/error.h"

namespace baliza::plan {
namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::month;
using std::chrono::months;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::years;

[[noreturn]] void bad_input(std::string_view what, std::string_view text, std::string_view format,
                            std::string_view example) {
  throw usage_error(std::string("invalid ") + std::string(what) + " '" + std::string(text) +
                    "': expected " + std::string(format) + ", e.g. " + std::string(example));
}

Date last_day_of_month(Date d) {
  return Date{d.year() / d.month() / std::chrono::last};
}

void append_padded(std::string& out, unsigned value, int width) {
  char buffer[8];
  for (int i = width - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buffer, static_cast<size_t>(width));
}

}  // namespace

Window parse_window(std::string_view text) {
  if (text == "day") return Window::kDay;
  if (text == "month") return Window::kMonth;
  if (text == "year") return Window::kYear;
  throw usage_error("unknown window '" + std::string(text) + "'; use day, month or year");
}

std::string_view window_name(Window window) {
  switch (window) {
    case Window::kDay:
      return "day";
    case Window::kMonth:
      return "month";
    case Window::kYear:
      return "year";
  }
  return "day";
}

DateFormat parse_date_format(std::string_view text) {
  if (text == "yyyyMMdd") return DateFormat::kCompact;
  if (text == "yyyy-MM-dd") return DateFormat::kIso;
  throw usage_error("unknown date format '" + std::string(text) + "'; use yyyyMMdd or yyyy-MM-dd");
}

std::string_view date_format_name(DateFormat format) {
  return format == DateFormat::kCompact ? "yyyyMMdd" : "yyyy-MM-dd";
}

Date parse_iso_date(std::string_view text) {
  const auto y = read_digits(text, 0, 4), m = read_digits(text, 5, 2), d = read_digits(text, 8, 2);
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (!shaped || !y || !m || !d) bad_input("date", text, "YYYY-MM-DD", "2024-01-15");
  Date date{year{*y}, month{static_cast<unsigned>(*m)}, day{static_cast<unsigned>(*d)}};
  if (!date.ok()) bad_input("date", text, "a real calendar day YYYY-MM-DD", "2024-02-29");
  return date;
}

DateRange parse_day(std::string_view text) {
  const Date date = parse_iso_date(text);
  return {date, date};
}

DateRange parse_month(std::string_view text) {
  const auto y = read_digits(text, 0, 4), m = read_digits(text, 5, 2);
  if (text.size() != 7 || text[4] != '-' || !y || !m || *m < 1 || *m > 12) {
    bad_input("month", text, "YYYY-MM", "2024-01");
  }
  const Date first{year{*y}, month{static_cast<unsigned>(*m)}, day{1}};
  return {first, last_day_of_month(first)};
}

DateRange parse_range(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    bad_input("range", text, "YYYY-MM-DD:YYYY-MM-DD", "2024-01-01:2024-03-31");
  }
  const DateRange range{parse_iso_date(text.substr(0, colon)),
                        parse_iso_date(text.substr(colon + 1))};
  if (range.last < range.first) {
    throw usage_error("invalid range '" + std::string(text) +
                      "': the end is before the start; expected START:END with START <= END, "
                      "e.g. 2024-01-01:2024-03-31");
  }
  return range;
}

DateRange latest_complete_month(Date today) {
  const Date first_of_this_month{today.year() / today.month() / day{1}};
  const Date first{first_of_this_month - months{1}};  // day 1 is valid in every month
  return {first, last_day_of_month(first)};
}

DateRange window_containing(Date d, Window window) {
  switch (window) {
    case Window::kDay:
      return {d, d};
    case Window::kMonth: {
      const Date first{d.year() / d.month() / day{1}};
      return {first, last_day_of_month(first)};
    }
    case Window::kYear:
      return {Date{d.year() / month{1} / day{1}}, Date{d.year() / month{12} / day{31}}};
  }
  return {d, d};
}

std::vector<DateRange> enumerate_windows(const DateRange& range, Window window) {
  std::vector<DateRange> windows;
  if (range.last < range.first) return windows;
  if (window == Window::kDay) {
    const sys_days first{range.first}, last{range.last};
    windows.reserve(static_cast<size_t>((last - first).count() + 1));
    for (sys_days d = first; d <= last; d += days{1}) windows.push_back({Date{d}, Date{d}});
    return windows;
  }
  for (DateRange w = window_containing(range.first, window); w.first <= range.last;) {
    windows.push_back(w);
    w = window_containing(Date{sys_days{w.last} + days{1}}, window);
  }
  return windows;
}

std::string format_date(Date date, DateFormat format) {
  std::string out;
  out.reserve(10);
  append_padded(out, static_cast<unsigned>(static_cast<int>(date.year())), 4);
  if (format == DateFormat::kIso) out.push_back('-');
  append_padded(out, static_cast<unsigned>(date.month()), 2);
  if (format == DateFormat::kIso) out.push_back('-');
  append_padded(out, static_cast<unsigned>(date.day()), 2);
  return out;
}

std::string iso_date(Date date) {
  return format_date(date, DateFormat::kIso);
}

Date today_local() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return Date{year{local.tm_year + 1900}, month{static_cast<unsigned>(local.tm_mon + 1)},
              day{static_cast<unsigned>(local.tm_mday)}};
}

std::vector<DateRange> split_window(const DateRange& range, int max_days) {
  std::vector<DateRange> out;
  const std::chrono::sys_days last{range.last};
  std::chrono::sys_days first{range.first};
  while (first <= last) {
    const std::chrono::sys_days end = std::min(last, first + std::chrono::days(max_days - 1));
    out.push_back({Date{first}, Date{end}});
    first = end + std::chrono::days(1);
  }
  return out;
}

}  // namespace baliza::plan
