#include "core/sha256.h"

#include <openssl/evp.h>

#include "core/error.h"

namespace baliza {

// The digest is fetched once and each thread keeps one context: OpenSSL 3 looks the algorithm
// up and allocates a context on every one-shot EVP_Digest call, which costs more than hashing
// a small file (project loading hashes thousands of model files).
std::string sha256_hex(std::string_view bytes) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context c;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (md == nullptr || c.ctx == nullptr || EVP_DigestInit_ex(c.ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(c.ctx, bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(c.ctx, digest, &length) != 1) {
    throw environment_error("SHA-256 failed inside OpenSSL libcrypto");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex(length * 2, '0');
  for (unsigned int i = 0; i < length; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace baliza
