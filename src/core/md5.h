// MD5 of a string as 32 lowercase hex digits: what dbt uses for names (a long test's alias,
// dbt_scd_id, the `local_md5` context function). Not for integrity: use core/sha256.h.
// Pure function, safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace baliza {

std::string md5_hex(std::string_view bytes);

}  // namespace baliza
