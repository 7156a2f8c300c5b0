#include "extract/http_post.h"

#include <algorithm>

#include "extract/curl_api.h"

namespace baliza::extract {
namespace {

size_t keep_body(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t bytes = size * n;
  if (out->size() < 65536) out->append(data, std::min(bytes, 65536 - out->size()));
  return bytes;
}

}  // namespace

PostResult http_post(const std::string& url, const std::string& body,
                     const std::vector<std::string>& headers, double timeout_seconds) {
  const CurlApi& curl = curl_api();
  PostResult result;
  CURL* h = curl.curl_easy_init();
  if (h == nullptr) {
    result.error = "curl_easy_init failed";
    return result;
  }
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = curl.curl_slist_append(list, header.c_str());
  long ms = std::max(1L, static_cast<long>(timeout_seconds * 1000));
  curl.curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl.curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl.curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl.curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl.curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl.curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
  curl.curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl.curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl.curl_easy_setopt(h, CURLOPT_USERAGENT, "baliza/" BALIZA_VERSION);
  curl.curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_body);
  curl.curl_easy_setopt(h, CURLOPT_WRITEDATA, &result.body);
  CURLcode code = curl.curl_easy_perform(h);
  if (code == CURLE_OK) {
    curl.curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  } else {
    result.error = curl.curl_easy_strerror(code);
  }
  curl.curl_slist_free_all(list);
  curl.curl_easy_cleanup(h);
  return result;
}

}  // namespace baliza::extract
