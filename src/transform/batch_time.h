// UTC instants and the batch calendar of microbatch models (transform/microbatch.h), with dbt's
// rules (dbt's MicrobatchBuilder):
//   truncate   2024-09-17 16:06 -> hour 16:00, day 2024-09-17, month 2024-09-01, year 2024-01-01
//   offset     truncate, then move by n units (month and year by the calendar)
//   ceiling    the instant itself when already on a boundary, else the next boundary
// Text accepted: YYYY-MM-DD, then optionally [T or space]HH:MM[:SS[.ffffff]], then optionally
// Z, +HH[:MM] or -HH[:MM] (converted to UTC; without one, the time is UTC). Pure functions,
// thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace baliza::transform {

using UtcTime = std::chrono::sys_time<std::chrono::microseconds>;

enum class BatchSize { kHour, kDay, kMonth, kYear };

// "hour", "day", "month", "year" -> the size; nullopt for anything else.
std::optional<BatchSize> parse_batch_size(std::string_view text);
std::string_view to_string(BatchSize size);

std::optional<UtcTime> parse_utc_time(std::string_view text);
UtcTime utc_now();

UtcTime truncate_time(UtcTime t, BatchSize size);
UtcTime offset_time(UtcTime t, BatchSize size, int n);
UtcTime ceiling_time(UtcTime t, BatchSize size);

// "2024-01-05 13:00:00" (".ffffff" only when there are microseconds).
std::string format_utc_time(UtcTime t);
// "2024-01-05T13:00:00+00:00" (run_results' batch_results, as dbt writes them).
std::string iso_utc_time(UtcTime t);
// TIMESTAMP '2024-01-05 13:00:00' (a DuckDB literal).
std::string sql_timestamp(UtcTime t);
// The batch's label in progress lines: 2024 / 2024-09 / 2024-09-17 / 2024-09-17T16.
std::string batch_label(UtcTime start, BatchSize size);

}  // namespace baliza::transform
