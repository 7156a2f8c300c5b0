// Civil dates and planning windows, with no time zones: a date is a calendar day as the API
// sees it (PNCP dates are Brasilia days; Baliza never converts them).
//
// Periods come from the command line (--dia, --mes, --range, --latest) as an inclusive
// DateRange. Endpoints split a range into calendar windows (day, month or year); windows are
// aligned to whole calendar periods, so a month window is the same window whichever range
// asked for it (this keeps task ids stable across runs).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace baliza::plan {

using Date = std::chrono::year_month_day;

// Inclusive on both ends.
struct DateRange {
  Date first;
  Date last;
  bool operator==(const DateRange&) const = default;
};

enum class Window { kDay, kMonth, kYear };

// How dates are written into query parameters.
enum class DateFormat { kCompact /* yyyyMMdd */, kIso /* yyyy-MM-dd */ };

// "day" | "month" | "year"; anything else throws a usage error naming the accepted values.
Window parse_window(std::string_view text);
std::string_view window_name(Window window);

// "yyyyMMdd" | "yyyy-MM-dd"; anything else throws a usage error naming the accepted values.
DateFormat parse_date_format(std::string_view text);
std::string_view date_format_name(DateFormat format);

// Command-line periods. Each throws a usage error showing the expected format on bad input.
Date parse_iso_date(std::string_view text);    // 2024-01-15
DateRange parse_day(std::string_view text);    // --dia 2024-01-15
DateRange parse_month(std::string_view text);  // --mes 2024-01
DateRange parse_range(std::string_view text);  // --range 2024-01-01:2024-03-31
DateRange latest_complete_month(Date today);   // --latest: the month before today's

// The calendar windows of `window` size that intersect `range`, in order, each whole.
std::vector<DateRange> enumerate_windows(const DateRange& range, Window window);

// `range` cut into consecutive windows of at most `max_days` days (the API refuses a date window
// over 365 days with 422, and a leap year has 366): unchanged when it is short enough.
std::vector<DateRange> split_window(const DateRange& range, int max_days);

// First and last day of the window of `window` size that contains `day`.
DateRange window_containing(Date day, Window window);

std::string format_date(Date date, DateFormat format);  // 20240115 or 2024-01-15
std::string iso_date(Date date);                        // 2024-01-15

// Today in the machine's local time zone (the caller decides what "today" means; the planner
// always takes it as an argument so that plans are reproducible in tests).
Date today_local();

}  // namespace baliza::plan
