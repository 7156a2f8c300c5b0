// The libcurl table (extract/curl_api.h): loaded on first use, every function resolved. The error
// for a missing library is covered end to end in tests/e2e/curl_loading_test.cpp, since the
// loader runs once per process.
#include "extract/curl_api.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace baliza::extract {
namespace {

TEST(CurlApi, LoadsEveryFunctionOnce) {
  const CurlApi& api = curl_api();
  EXPECT_EQ(&api, &curl_api());
#define BALIZA_CURL_CHECK(name) EXPECT_NE(api.name, nullptr) << #name;
  BALIZA_CURL_FUNCTIONS(BALIZA_CURL_CHECK)
#undef BALIZA_CURL_CHECK
  const char* env = std::getenv("BALIZA_CURL_LIB");
  EXPECT_EQ(api.library_path, env && *env ? std::string(env) : std::string("libcurl.so.4"));
}

TEST(CurlApi, CallsGoThroughTheLoadedLibrary) {
  const CurlApi& api = curl_api();
  EXPECT_STREQ(api.curl_easy_strerror(CURLE_OK), "No error");
  CURL* easy = api.curl_easy_init();
  ASSERT_NE(easy, nullptr);
  // Variadic functions called through the pointer.
  EXPECT_EQ(api.curl_easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1:1/"), CURLE_OK);
  long status = -1;
  EXPECT_EQ(api.curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status), CURLE_OK);
  EXPECT_EQ(status, 0);
  api.curl_easy_cleanup(easy);
  EXPECT_EQ(api.curl_getdate("Tue, 02 Jan 2024 00:00:00 GMT", nullptr), 1704153600);
}

}  // namespace
}  // namespace baliza::extract
