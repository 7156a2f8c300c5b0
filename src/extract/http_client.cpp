#include "extract/http_client.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <future>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.h"
#include "extract/curl_api.h"

namespace baliza::extract {

void ensure_curl_global_init() {
  curl_api();  // loads libcurl and runs curl_global_init, once
}

namespace {

struct Pending {
  HttpRequest request;
  HttpClient::Completion done;
};

// One running request: owns its easy handle and header list.
struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::vector<std::string> request_headers;  // kept to follow a same-host redirect
  std::string current_url;                   // the URL this transfer asks (after redirects)
  HttpResult result;
  HttpClient::Completion done;
  TimePoint started;
  std::size_t max_body = 0;
  bool too_large = false;
  char error_buffer[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    if (easy) curl_api().curl_easy_cleanup(easy);
    if (headers) curl_api().curl_slist_free_all(headers);
  }
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->result.body.size() + n > t->max_body) {
    t->too_large = true;
    return 0;  // makes curl abort the transfer with CURLE_WRITE_ERROR
  }
  t->result.body.append(data, n);
  return n;
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  return std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

std::string header_value(std::string_view line, std::size_t name_size) {
  std::string_view v = line.substr(name_size + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
    v.remove_suffix(1);
  return std::string(v);
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* r = &static_cast<Transfer*>(user)->result;
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new response (after a redirect or 100-continue)
    r->retry_after.clear();
    r->etag.clear();
    r->content_type.clear();
  } else if (header_is(line, "retry-after")) {
    r->retry_after = header_value(line, 11);
  } else if (header_is(line, "etag")) {
    r->etag = header_value(line, 4);
  } else if (header_is(line, "content-type")) {
    r->content_type = header_value(line, 12);
  }
  return size * count;
}

struct Origin {
  std::string scheme, host, port;
};

// scheme://[user@]host[:port]/...: lower-cased scheme and host, the port (explicit or the
// scheme's default). Empty scheme when `url` is not absolute.
Origin origin_of(std::string_view url) {
  Origin o;
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return o;
  auto lower = [](std::string_view v) {
    std::string out(v);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  o.scheme = lower(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {  // [v6]:port
    const auto close = rest.find(']');
    if (close != std::string_view::npos && close + 1 < rest.size() && rest[close + 1] == ':')
      port = rest.substr(close + 2);
    rest = rest.substr(0, close == std::string_view::npos ? rest.size() : close + 1);
  } else if (const auto c = rest.rfind(':'); c != std::string_view::npos) {
    port = rest.substr(c + 1);
    rest = rest.substr(0, c);
  }
  o.host = lower(rest);
  o.port = !port.empty() ? std::string(port) : o.scheme == "https" ? "443" : "80";
  return o;
}

// A redirect Baliza follows by itself: same host and port with the same scheme, or the same
// host moving from http to https (its port then changes with the scheme).
bool follows_redirect(std::string_view from, std::string_view to) {
  const Origin a = origin_of(from), b = origin_of(to);
  if (a.scheme.empty() || b.scheme.empty() || a.host != b.host) return false;
  if (a.scheme == b.scheme) return a.port == b.port;
  return a.scheme == "http" && b.scheme == "https";
}

long to_ms(Duration d) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

struct HttpClient::Impl {
  HttpClientOptions options;
  CURLM* multi = nullptr;
  mutable std::mutex mutex;
  std::deque<Pending> queue;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;  // touched by the thread only
  std::atomic<std::size_t> active_count{0};
  bool stopping = false;
  std::thread thread;

  explicit Impl(HttpClientOptions o) : options(std::move(o)) {
    const CurlApi& curl = curl_api();  // throws the "cannot load libcurl" error before any work
    options.max_in_flight = std::max(1, options.max_in_flight);
    multi = curl.curl_multi_init();
    if (!multi) throw environment_error("libcurl: curl_multi_init failed (out of memory?)");
    curl.curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, long{options.max_in_flight});
    curl.curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS,
                           long{std::max(8, 2 * options.max_in_flight)});
    thread = std::thread([this] { run(); });
  }

  ~Impl() { curl_api().curl_multi_cleanup(multi); }

  std::unique_ptr<Transfer> make_transfer(Pending p) {
    auto t = std::make_unique<Transfer>();
    t->result.tag = p.request.tag;
    t->result.url = p.request.url;
    t->done = std::move(p.done);
    t->max_body = options.max_body_bytes;
    t->current_url = p.request.url;
    t->request_headers = std::move(p.request.headers);
    const CurlApi& curl = curl_api();
    t->easy = curl.curl_easy_init();
    if (!t->easy) throw environment_error("libcurl: curl_easy_init failed (out of memory?)");
    for (const auto& h : t->request_headers)
      t->headers = curl.curl_slist_append(t->headers, h.c_str());
    CURL* e = t->easy;
    curl.curl_easy_setopt(e, CURLOPT_URL, t->current_url.c_str());
    curl.curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl.curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl.curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl.curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, to_ms(options.connect_timeout));
    curl.curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, to_ms(options.total_timeout));
    curl.curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                          static_cast<curl_off_t>(options.max_body_bytes));
    curl.curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl.curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl.curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // see follows_redirect()
    curl.curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl.curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl.curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl.curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl.curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl.curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error_buffer);
    return t;
  }

  // Moves queued requests into the multi handle while there is room.
  void start_queued() {
    while (active.size() < static_cast<std::size_t>(options.max_in_flight)) {
      Pending p;
      {
        std::lock_guard lock(mutex);
        if (stopping || queue.empty()) return;
        p = std::move(queue.front());
        queue.pop_front();
      }
      auto t = make_transfer(std::move(p));
      t->started = std::chrono::steady_clock::now();
      curl_api().curl_multi_add_handle(multi, t->easy);
      CURL* key = t->easy;
      active.emplace(key, std::move(t));
      active_count = active.size();
    }
  }

  void fill_result(Transfer& t, CURLcode code) {
    HttpResult& r = t.result;
    r.elapsed = std::chrono::steady_clock::now() - t.started;
    const CurlApi& curl = curl_api();
    curl.curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &r.http_status);
    curl_off_t downloaded = 0;
    curl.curl_easy_getinfo(t.easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded);
    r.bytes_downloaded += static_cast<std::uint64_t>(downloaded);
    curl.curl_easy_getinfo(t.easy, CURLINFO_NUM_CONNECTS, &r.new_connections);
    r.curl_code = code;
    if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      r.curl_code = CURLE_FILESIZE_EXCEEDED;
      r.error = fmt::format("response body exceeds the {}-byte cap (max_body_bytes)",
                            options.max_body_bytes);
      r.body.clear();
    } else if (code != CURLE_OK) {
      r.error = t.error_buffer[0] ? t.error_buffer : curl.curl_easy_strerror(code);
    }
  }

  void finish_done() {
    int left = 0;
    while (CURLMsg* msg = curl_api().curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      auto node = active.extract(msg->easy_handle);
      active_count = active.size();
      const CURLcode code = msg->data.result;  // read before removing the handle
      curl_api().curl_multi_remove_handle(multi, node.key());
      Transfer& t = *node.mapped();
      fill_result(t, code);
      if (code == CURLE_OK && follow(t)) continue;
      t.done(std::move(t.result));
    }
  }

  // A 3xx with a Location: follows it when follows_redirect() allows (a new transfer takes over
  // the completion; true), else leaves the target in result.location for the caller.
  bool follow(Transfer& t) {
    const long s = t.result.http_status;
    if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) return false;
    char* target = nullptr;
    curl_api().curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &target);
    if (!target || !*target) return false;
    const std::string to = target;
    if (!follows_redirect(t.current_url, to) || t.result.redirects >= HttpClient::kMaxRedirects ||
        is_stopping()) {
      t.result.location = to;
      return false;
    }
    Pending p{{to, t.request_headers, t.result.tag}, std::move(t.done)};
    auto next = make_transfer(std::move(p));
    next->result.url = t.result.url;  // the URL asked for, not the one redirected to
    next->result.redirects = t.result.redirects + 1;
    next->result.bytes_downloaded = t.result.bytes_downloaded;
    next->started = t.started;
    curl_api().curl_multi_add_handle(multi, next->easy);
    CURL* key = next->easy;
    active.emplace(key, std::move(next));
    active_count = active.size();
    return true;
  }

  static void cancel(HttpResult& r, Duration elapsed) {
    r.cancelled = true;
    r.curl_code = CURLE_ABORTED_BY_CALLBACK;
    r.error = "cancelled: the HTTP client was stopped";
    r.elapsed = elapsed;
  }

  void cancel_all() {
    for (auto& [easy, t] : active) {
      curl_api().curl_multi_remove_handle(multi, easy);
      cancel(t->result, std::chrono::steady_clock::now() - t->started);
      t->done(std::move(t->result));
    }
    active.clear();
    active_count = 0;
    std::deque<Pending> rest;
    {
      std::lock_guard lock(mutex);
      rest.swap(queue);
    }
    for (auto& p : rest) cancel_pending(std::move(p));
  }

  static void cancel_pending(Pending p) {
    HttpResult r;
    r.tag = p.request.tag;
    r.url = std::move(p.request.url);
    cancel(r, Duration::zero());
    p.done(std::move(r));
  }

  bool is_stopping() {
    std::lock_guard lock(mutex);
    return stopping;
  }

  void run() {
    while (!is_stopping()) {
      start_queued();
      int running = 0;
      curl_api().curl_multi_perform(multi, &running);
      finish_done();
      start_queued();
      // Sleeps until socket activity, a timeout, or curl_multi_wakeup() from submit()/stop().
      curl_api().curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    cancel_all();
  }
};

HttpClient::HttpClient(HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() {
  stop();
}

void HttpClient::submit(HttpRequest request, Completion done) {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->stopping) {
      impl_->queue.push_back({std::move(request), std::move(done)});
      done = nullptr;
    }
  }
  if (done) {
    Impl::cancel_pending({std::move(request), std::move(done)});
    return;
  }
  curl_api().curl_multi_wakeup(impl_->multi);
}

HttpResult HttpClient::fetch(const std::string& url, std::vector<std::string> headers) {
  auto promise = std::make_shared<std::promise<HttpResult>>();
  auto future = promise->get_future();
  submit({url, std::move(headers), 0},
         [promise](HttpResult r) { promise->set_value(std::move(r)); });
  return future.get();
}

void HttpClient::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  curl_api().curl_multi_wakeup(impl_->multi);
  if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id()) {
    impl_->thread.join();
  }
}

std::size_t HttpClient::in_flight() const {
  return impl_->active_count;
}

std::size_t HttpClient::queued() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->queue.size();
}

const HttpClientOptions& HttpClient::options() const {
  return impl_->options;
}

}  // namespace baliza::extract
