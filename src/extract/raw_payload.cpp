#include "extract/raw_payload.h"

#include "core/sha256.h"
#include "core/zstd_codec.h"

namespace baliza {

PreparedPayload prepare_payload(std::string_view body, const RawStoreOptions& options) {
  PreparedPayload p;
  p.sha256 = sha256_hex(body);
  p.compressed = zstd_compress(body, options.zstd_level);
  p.raw_size = body.size();
  return p;
}

}  // namespace baliza
