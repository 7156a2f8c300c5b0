// SHA-256 of a byte string, as lowercase hex (64 chars). Used for content addressing.
#pragma once

#include <string>
#include <string_view>

namespace baliza {

std::string sha256_hex(std::string_view bytes);

}  // namespace baliza
