// Asynchronous HTTP GET client over libcurl's multi interface, driven by one thread.
//
// Requests are queued by submit() from any thread and run at most `max_in_flight` at a time
// on the client's own thread. Connections are kept alive and reused across requests (the
// connection cache lives in the multi handle), bodies are asked for with Accept-Encoding: gzip
// and decoded transparently, and every request ends in exactly one completion call, made on
// the client thread:
//   - a finished transfer (any HTTP status), or
//   - a transport error (curl_code != 0: timeout, refused, reset, body over the size cap), or
//   - a cancellation (cancelled = true) when stop() runs or submit() comes after it.
// Completions must be quick and must not call fetch() (they run on the thread fetch() waits
// for); calling submit() from them is fine.
// Redirects: followed (up to kMaxRedirects) only to the same host and port, keeping or upgrading
// the scheme (http -> https); a redirect elsewhere (another host or port, or https -> http) is
// never followed blindly: the 3xx answer is the result, with `location` saying where it pointed,
// so the caller can report it. result.url stays the URL asked for.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "extract/clock.h"

namespace baliza::extract {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // extra "Name: value" lines
  std::uint64_t tag = 0;             // the caller's id, echoed in the result
};

struct HttpResult {
  std::uint64_t tag = 0;
  std::string url;
  long http_status = 0;  // 0 when no HTTP answer was received
  std::string retry_after;
  std::string etag;
  std::string content_type;
  std::string location;                // a 3xx answer's target that was not followed (see above)
  int redirects = 0;                   // same-host redirects followed
  std::string body;                    // decoded (gunzipped) bytes
  int curl_code = 0;                   // CURLcode; 0 = the transfer completed
  std::string error;                   // curl's message when curl_code != 0
  Duration elapsed{};                  // from the transfer's start to its end
  std::uint64_t bytes_downloaded = 0;  // bytes on the wire (compressed)
  long new_connections = 0;            // connections opened for this transfer (0 = a reused one)
  bool cancelled = false;
};

struct HttpClientOptions {
  int max_in_flight = 4;
  Duration connect_timeout = std::chrono::seconds(10);
  Duration total_timeout = std::chrono::seconds(120);
  std::size_t max_body_bytes = std::size_t{512} << 20;  // decoded size; over it is an error
  std::string user_agent = "baliza/" BALIZA_VERSION;
};

class HttpClient {
 public:
  static constexpr int kMaxRedirects = 5;
  using Completion = std::function<void(HttpResult)>;

  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();  // stop()
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues a GET. Thread-safe. After stop(), `done` is called at once with cancelled = true.
  void submit(HttpRequest request, Completion done);

  // Blocking convenience: submits and waits for the result. Never call it from a completion.
  HttpResult fetch(const std::string& url, std::vector<std::string> headers = {});

  // Cancels queued and in-flight requests (each gets its cancelled completion) and joins the
  // thread. Idempotent; safe to call at any time from any thread except a completion.
  void stop();

  std::size_t in_flight() const;
  std::size_t queued() const;
  const HttpClientOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Loads libcurl (extract/curl_api.h) and runs curl_global_init, exactly once per process,
// thread-safely; throws an environment error when libcurl cannot be loaded. HttpClient calls it
// itself.
void ensure_curl_global_init();

}  // namespace baliza::extract
