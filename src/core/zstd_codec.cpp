#include "core/zstd_codec.h"

#include <zstd.h>

#include <memory>

#include "core/error.h"

namespace baliza {
namespace {

std::string size_text(size_t bytes) {
  return std::to_string(bytes) + " bytes";
}

// One context per thread: creating a context per call costs more than compressing a page.
struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* thread_cctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  return cctx.get();
}

ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  return dctx.get();
}

}  // namespace

std::string zstd_compress(std::string_view bytes, int level) {
  if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
    throw usage_error("zstd level " + std::to_string(level) + " is out of range; use 1..19");
  }
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  size_t n =
      ZSTD_compressCCtx(thread_cctx(), out.data(), out.size(), bytes.data(), bytes.size(), level);
  if (ZSTD_isError(n)) {
    throw failure(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  }
  out.resize(n);
  return out;
}

std::string zstd_decompress(std::string_view frame, size_t max_bytes) {
  std::string out;
  zstd_decompress_into(frame, max_bytes, out);
  return out;
}

void zstd_decompress_into(std::string_view frame, size_t max_bytes, std::string& out) {
  out.clear();
  unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) {
    throw failure("payload is not a valid zstd frame (corrupted?)");
  }
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
    if (declared > max_bytes) {
      throw failure("payload would decompress to " + size_text(declared) + ", above the limit of " +
                    size_text(max_bytes) + " (raise raw_store.max_payload_mb in baliza.yml)");
    }
    out.resize(declared);
    size_t n =
        ZSTD_decompressDCtx(thread_dctx(), out.data(), out.size(), frame.data(), frame.size());
    if (ZSTD_isError(n) || n != declared) {
      throw failure(std::string("payload is corrupted: zstd says ") +
                    (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "size mismatch"));
    }
    return;
  }
  // No declared size: stream, stopping at the limit.
  ZSTD_DStream* stream = ZSTD_createDStream();
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  size_t ret = 1;
  while (in.pos < in.size && ret != 0) {
    ZSTD_outBuffer ob{chunk.data(), chunk.size(), 0};
    ret = ZSTD_decompressStream(stream, &ob, &in);
    if (ZSTD_isError(ret)) {
      ZSTD_freeDStream(stream);
      throw failure(std::string("payload is corrupted: zstd says ") + ZSTD_getErrorName(ret));
    }
    out.append(chunk.data(), ob.pos);
    if (out.size() > max_bytes) {
      ZSTD_freeDStream(stream);
      throw failure("payload decompresses past the limit of " + size_text(max_bytes) +
                    " (raise raw_store.max_payload_mb in baliza.yml)");
    }
  }
  ZSTD_freeDStream(stream);
  if (ret != 0) throw failure("payload is truncated: the zstd frame ends early");
}

}  // namespace baliza
