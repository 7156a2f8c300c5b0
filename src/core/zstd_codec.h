// zstd compression of payloads, with a size limit on decompression so that a corrupted or
// hostile frame (a "decompression bomb") is an error instead of an out-of-memory crash.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace baliza {

// Default cap on a decompressed payload: 256 MiB (PNCP pages are well under 10 MiB).
constexpr size_t kDefaultMaxPayloadBytes = size_t{256} << 20;

std::string zstd_compress(std::string_view bytes, int level);

// Throws baliza::Error (failure) when the frame is corrupt or would exceed max_bytes.
std::string zstd_decompress(std::string_view frame, size_t max_bytes = kDefaultMaxPayloadBytes);

// The same into `out`, reusing its capacity (a caller decompressing many pages keeps one buffer
// and saves an allocation and its page faults per page).
void zstd_decompress_into(std::string_view frame, size_t max_bytes, std::string& out);

}  // namespace baliza
