#include "core/zstd_codec.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include "core/error.h"

namespace baliza {
namespace {

std::string sample_json(size_t records) {
  std::string s = "{\"data\":[";
  for (size_t i = 0; i < records; ++i) {
    s += (i ? "," : "") + std::string("{\"numeroControlePNCP\":\"00394460000141-1-") +
         std::to_string(i) + "/2024\",\"valorTotalEstimado\":" + std::to_string(i * 37) + ".5}";
  }
  return s + "]}";
}

TEST(ZstdCodec, RoundTripsAndCompresses) {
  std::string body = sample_json(2000);
  std::string frame = zstd_compress(body, 3);
  EXPECT_LT(frame.size() * 5, body.size());
  EXPECT_EQ(zstd_decompress(frame), body);
}

TEST(ZstdCodec, RefusesToInflatePastTheLimit) {
  std::string big(1 << 20, 'a');
  std::string frame = zstd_compress(big, 3);
  try {
    zstd_decompress(frame, 1000);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("above the limit of 1000 bytes"), std::string::npos);
  }
}

TEST(ZstdCodec, LimitAlsoHoldsForFramesWithoutDeclaredSize) {
  std::string big(1 << 20, 'b');
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  std::string frame(ZSTD_compressBound(big.size()), '\0');
  size_t n = ZSTD_compress2(cctx, frame.data(), frame.size(), big.data(), big.size());
  ZSTD_freeCCtx(cctx);
  frame.resize(n);
  EXPECT_EQ(zstd_decompress(frame), big);
  EXPECT_THROW(zstd_decompress(frame, 4096), Error);
}

TEST(ZstdCodec, CorruptionIsAnError) {
  std::string frame = zstd_compress(sample_json(100), 3);
  std::string flipped = frame;
  flipped[flipped.size() / 2] ^= 0x5a;
  std::string truncated = frame.substr(0, frame.size() - 10);
  EXPECT_THROW(zstd_decompress(truncated), Error);
  EXPECT_THROW(zstd_decompress("not a frame"), Error);
  // A flipped byte either fails decoding or yields different bytes; never the original.
  try {
    EXPECT_NE(zstd_decompress(flipped), sample_json(100));
  } catch (const Error&) {
  }
}

TEST(ZstdCodec, RejectsAnInvalidLevel) {
  EXPECT_THROW(zstd_compress("x", 42), Error);
}

}  // namespace
}  // namespace baliza
