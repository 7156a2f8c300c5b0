#include "plan/window.h"

#include <gtest/gtest.h>

#include "plan_test_support.h"

namespace baliza::plan {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

using test::usage_message;

Date d(int y, unsigned m, unsigned dd) {
  return Date{year{y}, month{m}, day{dd}};
}

TEST(Window, ParsesDayMonthAndRange) {
  EXPECT_EQ(parse_day("2024-01-15"), (DateRange{d(2024, 1, 15), d(2024, 1, 15)}));
  EXPECT_EQ(parse_month("2024-01"), (DateRange{d(2024, 1, 1), d(2024, 1, 31)}));
  EXPECT_EQ(parse_month("2023-04"), (DateRange{d(2023, 4, 1), d(2023, 4, 30)}));
  EXPECT_EQ(parse_range("2024-01-01:2024-03-31"), (DateRange{d(2024, 1, 1), d(2024, 3, 31)}));
}

TEST(Window, MonthLengthsFollowLeapYears) {
  EXPECT_EQ(parse_month("2024-02").last, d(2024, 2, 29));  // divisible by 4
  EXPECT_EQ(parse_month("2023-02").last, d(2023, 2, 28));
  EXPECT_EQ(parse_month("1900-02").last, d(1900, 2, 28));  // century, not leap
  EXPECT_EQ(parse_month("2000-02").last, d(2000, 2, 29));  // divisible by 400
  EXPECT_EQ(parse_month("2024-12").last, d(2024, 12, 31));
}

TEST(Window, InvalidInputShowsTheExpectedFormat) {
  EXPECT_NE(usage_message([] { parse_month("2024-1"); }).find("YYYY-MM"), std::string::npos);
  EXPECT_NE(usage_message([] { parse_month("2024-13"); }).find("e.g. 2024-01"), std::string::npos);
  EXPECT_NE(usage_message([] { parse_day("15/01/2024"); }).find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(usage_message([] { parse_day("2023-02-29"); }).find("real calendar day"),
            std::string::npos);
  EXPECT_NE(usage_message([] { parse_range("2024-01-01"); }).find("YYYY-MM-DD:YYYY-MM-DD"),
            std::string::npos);
  EXPECT_NE(usage_message([] { parse_range("2024-03-01:2024-01-01"); }).find("before the start"),
            std::string::npos);
  EXPECT_NE(usage_message([] { parse_window("week"); }).find("day, month or year"),
            std::string::npos);
  EXPECT_NE(usage_message([] { parse_date_format("dd/MM/yyyy"); }).find("yyyyMMdd"),
            std::string::npos);
}

TEST(Window, LatestIsTheLastCompleteMonth) {
  EXPECT_EQ(latest_complete_month(d(2024, 3, 15)), parse_month("2024-02"));
  EXPECT_EQ(latest_complete_month(d(2024, 3, 1)), parse_month("2024-02"));
  EXPECT_EQ(latest_complete_month(d(2024, 1, 1)), parse_month("2023-12"));
  EXPECT_EQ(latest_complete_month(d(2025, 1, 31)), parse_month("2024-12"));
  EXPECT_EQ(latest_complete_month(d(2024, 12, 31)), parse_month("2024-11"));
}

TEST(Window, EnumeratesDaysAcrossMonthAndYearEnds) {
  const auto days = enumerate_windows(parse_range("2023-12-30:2024-01-02"), Window::kDay);
  ASSERT_EQ(days.size(), 4u);
  EXPECT_EQ(days[0].first, d(2023, 12, 30));
  EXPECT_EQ(days[1].first, d(2023, 12, 31));
  EXPECT_EQ(days[2].first, d(2024, 1, 1));
  EXPECT_EQ(days[3].last, d(2024, 1, 2));
  EXPECT_EQ(enumerate_windows(parse_month("2024-02"), Window::kDay).size(), 29u);
  EXPECT_EQ(enumerate_windows(parse_range("2024-01-01:2024-12-31"), Window::kDay).size(), 366u);
}

TEST(Window, MonthAndYearWindowsAreWholeCalendarPeriods) {
  const auto months = enumerate_windows(parse_range("2024-01-15:2024-03-10"), Window::kMonth);
  ASSERT_EQ(months.size(), 3u);
  EXPECT_EQ(months[0], parse_month("2024-01"));
  EXPECT_EQ(months[1], parse_month("2024-02"));
  EXPECT_EQ(months[2], parse_month("2024-03"));
  const auto years = enumerate_windows(parse_range("2023-12-31:2024-01-01"), Window::kYear);
  ASSERT_EQ(years.size(), 2u);
  EXPECT_EQ(years[0], (DateRange{d(2023, 1, 1), d(2023, 12, 31)}));
  EXPECT_EQ(years[1], (DateRange{d(2024, 1, 1), d(2024, 12, 31)}));
  EXPECT_TRUE(enumerate_windows({d(2024, 2, 1), d(2024, 1, 1)}, Window::kDay).empty());
}

TEST(Window, FormatsDates) {
  EXPECT_EQ(format_date(d(2024, 1, 5), DateFormat::kCompact), "20240105");
  EXPECT_EQ(format_date(d(2024, 1, 5), DateFormat::kIso), "2024-01-05");
  EXPECT_EQ(iso_date(d(987, 12, 31)), "0987-12-31");
  EXPECT_EQ(parse_iso_date(iso_date(d(2031, 7, 9))), d(2031, 7, 9));
}

TEST(Window, TodayIsAValidDate) {
  EXPECT_TRUE(today_local().ok());
}

}  // namespace
}  // namespace baliza::plan
