// Reading a fixed-width run of ASCII digits, as dates and times are written ("2024-03-15",
// "12:30"). Shared by the date parsers of plan/ (windows, ranges) and transform/ (microbatch
// event times), which cannot include each other.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace baliza {

// The value of exactly `count` ASCII digits ('0'..'9', never locale digits or signs) starting
// at text[pos]. nullopt when the run does not fit inside `text`, holds any other character, or
// `count` is 0 or greater than 9 (so the value always fits an int, never overflows).
// Pure: no allocation, no exceptions, safe from any thread.
std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t count) noexcept;

}  // namespace baliza
