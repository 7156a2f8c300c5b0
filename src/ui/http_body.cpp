#include "ui/http_body.h"

#include <httplib.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "core/ascii_case.h"
#include "core/error.h"

namespace baliza::ui {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Hands the bytes to httplib as a sized content provider: httplib compresses set_content()
// bodies but never these.
// `keep` owns the bytes `data` points into (null for the binary's embedded assets).
void write_raw(httplib::Response& res, std::string_view data, std::shared_ptr<const void> keep,
               std::string_view content_type) {
  if (data.empty()) {
    res.set_content(std::string(), std::string(content_type));
    return;
  }
  res.set_content_provider(
      data.size(), std::string(content_type),
      [data, keep](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        if (offset > data.size()) return false;
        return sink.write(data.data() + offset, std::min(length, data.size() - offset));
      });
}

void write_owned(httplib::Response& res, std::shared_ptr<const std::string> data,
                 std::string_view content_type) {
  std::string_view view(*data);
  write_raw(res, view, std::move(data), content_type);
}

// zlib takes 32-bit sizes: larger bodies go as they are.
constexpr std::size_t kMaxCompressed = std::size_t{1} << 30;

bool wants_gzip(const httplib::Request& req) {
  return !is_loopback_peer(req.remote_addr) &&
         accepts_gzip(req.get_header_value("Accept-Encoding"));
}

}  // namespace

bool accepts_gzip(std::string_view header) {
  bool star = false, gzip_listed = false, gzip_ok = false;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    std::size_t semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    double q = 1.0;
    if (semi != std::string_view::npos) {
      std::string_view param = trim(item.substr(semi + 1));
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string value(trim(param.substr(2)));
        char* end = nullptr;
        q = std::strtod(value.c_str(), &end);
        if (end == value.c_str()) q = 0;
      }
    }
    if (ascii_iequals(coding, "gzip") || ascii_iequals(coding, "x-gzip")) {
      gzip_listed = true;
      gzip_ok = gzip_ok || q > 0;
    } else if (coding == "*") {
      star = q > 0;
    }
  }
  return gzip_listed ? gzip_ok : star;
}

bool is_loopback_peer(std::string_view addr) {
  if (addr == "::1") return true;
  if (addr.rfind("::ffff:", 0) == 0) addr.remove_prefix(7);
  return addr.rfind("127.", 0) == 0;
}

std::string gzip(std::string_view data, int level) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw failure("zlib: cannot start gzip compression");
  }
  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(data.size())) + 32);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&stream, Z_FINISH);
  const std::size_t written = out.size() - stream.avail_out;
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) throw failure("zlib: gzip compression did not finish");
  out.resize(written);
  return out;
}

void send_body(const httplib::Request& req, httplib::Response& res, std::string body,
               std::string_view content_type) {
  res.set_header("Vary", "Accept-Encoding");
  if (body.size() > 1024 && body.size() < kMaxCompressed && wants_gzip(req)) {
    res.set_header("Content-Encoding", "gzip");
    write_owned(res, std::make_shared<const std::string>(gzip(body, 1)), content_type);
    return;
  }
  write_owned(res, std::make_shared<const std::string>(std::move(body)), content_type);
}

void send_asset(const httplib::Request& req, httplib::Response& res, std::string_view content,
                std::string_view content_type) {
  res.set_header("Vary", "Accept-Encoding");
  if (content.size() > 1024 && content.size() < kMaxCompressed && wants_gzip(req)) {
    static std::mutex mutex;
    static std::map<const char*, std::shared_ptr<const std::string>> cache;
    std::shared_ptr<const std::string> packed;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto& slot = cache[content.data()];
      if (!slot) slot = std::make_shared<const std::string>(gzip(content, 9));
      packed = slot;
    }
    res.set_header("Content-Encoding", "gzip");
    write_owned(res, std::move(packed), content_type);
    return;
  }
  write_raw(res, content, nullptr, content_type);
}

}  // namespace baliza::ui
