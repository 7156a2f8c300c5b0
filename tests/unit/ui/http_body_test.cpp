// How `baliza ui` writes bodies (ui/http_body.h): never left to httplib's own compression
// (brotli at quality 11 for browsers), the bytes as they are for a client on this machine, gzip
// that inflates back to the same bytes for a client elsewhere that accepts it, and
// Accept-Encoding read with its q-values.
#include <gtest/gtest.h>
#include <httplib.h>
#include <zlib.h>

#include <string>

#include "ui/http_body.h"

namespace baliza::ui {
namespace {

// The bytes the response's content provider writes.
std::string provided(httplib::Response& res) {
  if (!res.content_provider_) return res.body;
  std::string out;
  httplib::DataSink sink;
  sink.write = [&](const char* data, std::size_t n) {
    out.append(data, n);
    return true;
  };
  std::size_t offset = 0;
  while (offset < res.content_length_) {
    std::size_t before = out.size();
    EXPECT_TRUE(res.content_provider_(offset, res.content_length_ - offset, sink));
    if (out.size() == before) break;
    offset = out.size();
  }
  return out;
}

std::string gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  std::string result;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    result.append(out.data(), out.size() - stream.avail_out);
  }
  inflateEnd(&stream);
  EXPECT_EQ(rc, Z_STREAM_END);
  return result;
}

std::string big_json() {
  std::string body = "[";
  for (int i = 0; i < 20000; ++i) body += "{\"id\":\"model.p.m_" + std::to_string(i) + "\"},";
  body.back() = ']';
  return body;
}

TEST(HttpBody, AcceptEncodingIsReadWithItsQValues) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0, br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0, *"));  // named explicitly: the star does not override
  EXPECT_FALSE(accepts_gzip("identity"));
}

TEST(HttpBody, LoopbackPeersAreTheWhole127NetAndIpv6) {
  EXPECT_TRUE(is_loopback_peer("127.0.0.1"));
  EXPECT_TRUE(is_loopback_peer("127.1.2.3"));
  EXPECT_TRUE(is_loopback_peer("::1"));
  EXPECT_TRUE(is_loopback_peer("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_loopback_peer("10.0.0.7"));
  EXPECT_FALSE(is_loopback_peer("::ffff:192.168.1.2"));
  EXPECT_FALSE(is_loopback_peer("1270.0.0.1"));
  EXPECT_FALSE(is_loopback_peer(""));
}

TEST(HttpBody, ALoopbackBrowserGetsTheBytesAsTheyAre) {
  httplib::Request req;
  req.remote_addr = "127.0.0.1";
  req.headers.emplace("Accept-Encoding", "gzip, deflate, br");
  httplib::Response res;
  const std::string body = big_json();
  send_body(req, res, body, "application/json");
  EXPECT_FALSE(res.has_header("Content-Encoding"));
  ASSERT_TRUE(res.content_provider_) << "left to httplib, which would compress it with brotli";
  EXPECT_EQ(res.content_length_, body.size());
  EXPECT_EQ(provided(res), body);
}

TEST(HttpBody, ARemoteClientThatAcceptsGzipGetsGzipOfTheSameBytes) {
  httplib::Request req;
  req.remote_addr = "192.0.2.10";
  req.headers.emplace("Accept-Encoding", "br, gzip");
  httplib::Response res;
  const std::string body = big_json();
  send_body(req, res, body, "application/json");
  EXPECT_EQ(res.get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(res.get_header_value("Vary"), "Accept-Encoding");
  const std::string sent = provided(res);
  EXPECT_EQ(sent.size(), res.content_length_);
  EXPECT_LT(sent.size(), body.size() / 4);
  EXPECT_EQ(gunzip(sent), body);

  // An asset: compressed once, the same bytes for the next client.
  const std::string asset(200000, 'a');
  httplib::Response first, second;
  send_asset(req, first, asset, "text/javascript; charset=utf-8");
  send_asset(req, second, asset, "text/javascript; charset=utf-8");
  EXPECT_EQ(first.get_header_value("Content-Encoding"), "gzip");
  const std::string a = provided(first), b = provided(second);
  EXPECT_EQ(a, b);
  EXPECT_EQ(gunzip(a), asset);

  // Refused gzip, or a small body: as they are.
  httplib::Request refuses;
  refuses.remote_addr = "192.0.2.10";
  refuses.headers.emplace("Accept-Encoding", "gzip;q=0, br");
  httplib::Response plain, small;
  send_body(refuses, plain, body, "application/json");
  EXPECT_FALSE(plain.has_header("Content-Encoding"));
  EXPECT_EQ(provided(plain), body);
  send_body(req, small, "{}", "application/json");
  EXPECT_FALSE(small.has_header("Content-Encoding"));
  EXPECT_EQ(provided(small), "{}");
}

TEST(HttpBody, AnEmptyBodyIsSentEmpty) {
  httplib::Request req;
  req.remote_addr = "192.0.2.10";
  httplib::Response res;
  send_body(req, res, "", "text/plain");
  EXPECT_EQ(provided(res), "");
  EXPECT_EQ(res.get_header_value("Content-Type"), "text/plain");
}

}  // namespace
}  // namespace baliza::ui
