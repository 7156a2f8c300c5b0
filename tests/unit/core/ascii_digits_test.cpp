#include "core/ascii_digits.h"

#include <gtest/gtest.h>

#include <string>

namespace baliza {
namespace {

TEST(AsciiDigits, ReadsExactlyTheRunAskedFor) {
  EXPECT_EQ(read_digits("2024-03-15", 0, 4), 2024);
  EXPECT_EQ(read_digits("2024-03-15", 5, 2), 3);
  EXPECT_EQ(read_digits("2024-03-15", 8, 2), 15);
  EXPECT_EQ(read_digits("007", 0, 3), 7);
  EXPECT_EQ(read_digits("999999999", 0, 9), 999999999);
}

TEST(AsciiDigits, RefusesAnythingButAsciiDigitsInsideTheText) {
  EXPECT_EQ(read_digits("2024-03-15", 3, 2), std::nullopt);  // "4-"
  EXPECT_EQ(read_digits("+12", 0, 2), std::nullopt);
  EXPECT_EQ(read_digits(" 12", 0, 2), std::nullopt);
  EXPECT_EQ(read_digits("\xd9\xa1\xd9\xa2", 0, 2), std::nullopt);    // Arabic-Indic digits
  EXPECT_EQ(read_digits("12", 1, 2), std::nullopt);                  // runs past the end
  EXPECT_EQ(read_digits("12", 3, 1), std::nullopt);                  // starts past the end
  EXPECT_EQ(read_digits("12", std::string::npos, 2), std::nullopt);  // no wrap-around
  EXPECT_EQ(read_digits("", 0, 1), std::nullopt);
  EXPECT_EQ(read_digits("12", 0, 0), std::nullopt);
  EXPECT_EQ(read_digits("9999999999", 0, 10), std::nullopt);  // would not fit an int
}

}  // namespace
}  // namespace baliza
