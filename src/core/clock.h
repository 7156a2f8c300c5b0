// Wall-clock helpers. Timestamps stored by Baliza are UTC, written as "YYYY-MM-DD HH:MM:SS.ffffff"
// (a form DuckDB casts to TIMESTAMP); the PNCP's own timestamps stay Brasilia local time.
#pragma once

#include <string>

namespace baliza {

std::string utc_timestamp_now();  // "2026-11-22 03:50:01.123456"
std::string utc_date_today();     // "2026-11-22"
std::string utc_compact_now();    // "20261122T035001Z", for file names

// A random 128-bit identifier as 32 lowercase hex characters.
std::string random_id();

}  // namespace baliza
