#include "extract/http_client.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <set>

#include "unit/extract/loopback_server.h"

using namespace std::chrono_literals;

namespace baliza::extract {
namespace {

using testing::closed_port;
using testing::Gate;
using testing::InFlightGauge;
using testing::LoopbackServer;

TEST(HttpClient, FetchReturnsStatusBodyAndTheHeadersWeKeep) {
  LoopbackServer srv;
  std::string user_agent;
  srv.server.Get("/page", [&](const httplib::Request& req, httplib::Response& res) {
    user_agent = req.get_header_value("User-Agent");
    res.set_header("ETag", "\"abc\"");
    res.set_header("Retry-After", "7");
    res.status = 503;
    res.set_content(R"({"x":1})", "application/json");
  });
  srv.start();
  HttpClient client;
  const HttpResult r = client.fetch(srv.url("/page"));
  EXPECT_EQ(r.curl_code, 0) << r.error;
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.body, R"({"x":1})");
  EXPECT_EQ(r.etag, "\"abc\"");
  EXPECT_EQ(r.retry_after, "7");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.url, srv.url("/page"));
  EXPECT_EQ(user_agent, std::string("baliza/") + BALIZA_VERSION);
  EXPECT_FALSE(r.cancelled);
}

TEST(HttpClient, KeepAliveReusesOneConnection) {
  LoopbackServer srv;
  std::mutex mutex;
  std::set<int> client_ports;
  srv.server.Get("/p", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    client_ports.insert(req.remote_port);
    res.set_content("{}", "application/json");
  });
  srv.server.set_keep_alive_max_count(100);  // cpp-httplib closes after 5 requests by default
  srv.start();
  HttpClient client;
  long opened = 0;
  for (int i = 0; i < 10; ++i) {
    const HttpResult r = client.fetch(srv.url("/p"));
    ASSERT_EQ(r.http_status, 200) << r.error;
    opened += r.new_connections;
  }
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(client_ports.size(), 1u);  // the server saw a single connection
}

TEST(HttpClient, GzipBodiesAreDecoded) {
  LoopbackServer srv;
  std::string body = R"({"data":[)";
  for (int i = 0; i < 2000; ++i) body += R"({"objetoCompra":"AQUISICAO DE MATERIAIS"},)";
  body += "{}]}";
  std::string accept_encoding;
  srv.server.Get("/big", [&](const httplib::Request& req, httplib::Response& res) {
    accept_encoding = req.get_header_value("Accept-Encoding");
    res.set_content(body, "application/json");  // cpp-httplib gzips when the client asks
  });
  srv.start();
  HttpClient client;
  const HttpResult r = client.fetch(srv.url("/big"));
  ASSERT_EQ(r.http_status, 200) << r.error;
  EXPECT_EQ(accept_encoding, "gzip");
  EXPECT_EQ(r.body, body);
  EXPECT_LT(r.bytes_downloaded, body.size() / 10);  // it crossed the wire compressed
}

TEST(HttpClient, TotalTimeoutIsATransportError) {
  LoopbackServer srv;
  Gate gate;
  srv.server.Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    gate.wait();
    res.set_content("{}", "application/json");
  });
  srv.start();
  HttpClientOptions options;
  options.total_timeout = 200ms;
  HttpClient client(options);
  const HttpResult r = client.fetch(srv.url("/slow"));
  gate.open();
  EXPECT_EQ(r.curl_code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_FALSE(r.error.empty());
  EXPECT_GE(r.elapsed, 150ms);
  EXPECT_LT(r.elapsed, 10s);
}

TEST(HttpClient, RefusedConnectionIsATransportError) {
  HttpClient client;
  const HttpResult r = client.fetch("http://127.0.0.1:" + std::to_string(closed_port()) + "/x");
  EXPECT_EQ(r.curl_code, CURLE_COULDNT_CONNECT);
  EXPECT_EQ(r.http_status, 0);
}

TEST(HttpClient, NeverMoreThanMaxInFlight) {
  LoopbackServer srv;
  InFlightGauge gauge;
  srv.server.Get("/p", [&](const httplib::Request&, httplib::Response& res) {
    InFlightGauge::Track track(gauge);
    std::this_thread::sleep_for(40ms);
    res.set_content("{}", "application/json");
  });
  srv.start();
  HttpClientOptions options;
  options.max_in_flight = 3;
  HttpClient client(options);
  std::mutex mutex;
  std::set<std::uint64_t> tags;
  std::promise<void> all_done;
  for (std::uint64_t i = 0; i < 12; ++i) {
    client.submit({srv.url("/p"), {}, i}, [&](HttpResult r) {
      EXPECT_EQ(r.http_status, 200) << r.error;
      std::lock_guard lock(mutex);
      tags.insert(r.tag);
      if (tags.size() == 12) all_done.set_value();
    });
  }
  ASSERT_EQ(all_done.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(gauge.max(), 3);
  EXPECT_EQ(tags.size(), 12u);  // every tag came back once
}

TEST(HttpClient, BodyOverTheCapIsAnError) {
  LoopbackServer srv;
  const std::string big(10000, 'x');
  srv.server.Get("/sized", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(big, "application/octet-stream");
  });
  srv.server.Get("/chunked", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/octet-stream",
                                     [&](size_t, httplib::DataSink& sink) {
                                       for (int i = 0; i < 10; ++i) sink.write(big.data(), 1000);
                                       sink.done();
                                       return true;
                                     });
  });
  srv.start();
  HttpClientOptions options;
  options.max_body_bytes = 4096;
  HttpClient client(options);
  for (const char* path : {"/sized", "/chunked"}) {
    const HttpResult r = client.fetch(srv.url(path));
    EXPECT_EQ(r.curl_code, CURLE_FILESIZE_EXCEEDED) << path << ": " << r.error;
    EXPECT_NE(r.error.find("4096-byte cap"), std::string::npos) << r.error;
    EXPECT_TRUE(r.body.empty());
  }
}

TEST(HttpClient, StopCancelsQueuedAndInFlightRequests) {
  LoopbackServer srv;
  Gate gate;
  InFlightGauge gauge;
  srv.server.Get("/hang", [&](const httplib::Request&, httplib::Response& res) {
    InFlightGauge::Track track(gauge);
    gate.wait();
    res.set_content("{}", "application/json");
  });
  srv.start();
  HttpClientOptions options;
  options.max_in_flight = 2;
  HttpClient client(options);
  std::mutex mutex;
  std::vector<HttpResult> results;
  for (std::uint64_t i = 0; i < 5; ++i) {
    client.submit({srv.url("/hang"), {}, i}, [&](HttpResult r) {
      std::lock_guard lock(mutex);
      results.push_back(std::move(r));
    });
  }
  ASSERT_TRUE(testing::eventually([&] { return gauge.current() == 2; }));
  EXPECT_EQ(client.in_flight(), 2u);
  EXPECT_EQ(client.queued(), 3u);
  client.stop();
  gate.open();
  ASSERT_EQ(results.size(), 5u);  // all completions ran before stop() returned
  for (const auto& r : results) {
    EXPECT_TRUE(r.cancelled);
    EXPECT_NE(r.curl_code, 0);
  }
  bool late_cancelled = false;
  client.submit({srv.url("/hang"), {}, 9}, [&](HttpResult r) { late_cancelled = r.cancelled; });
  EXPECT_TRUE(late_cancelled);
}

TEST(HttpClient, ARedirectOnTheSameHostIsFollowedAndKeepsTheUrlAskedFor) {
  LoopbackServer srv;
  srv.server.Get("/old", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/new", 301);
  });
  srv.server.Get("/new", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"ok":1})", "application/json");
  });
  srv.start();
  HttpClient client;
  const HttpResult r = client.fetch(srv.url("/old"));
  EXPECT_EQ(r.http_status, 200) << r.error;
  EXPECT_EQ(r.body, R"({"ok":1})");
  EXPECT_EQ(r.redirects, 1);
  EXPECT_EQ(r.url, srv.url("/old"));
  EXPECT_TRUE(r.location.empty());
}

TEST(HttpClient, ARedirectToAnotherHostOrPortIsNotFollowed) {
  LoopbackServer other;
  int other_hits = 0;
  other.server.Get("/x", [&](const httplib::Request&, httplib::Response& res) {
    ++other_hits;
    res.set_content("{}", "application/json");
  });
  other.start();
  LoopbackServer srv;
  srv.server.Get("/port", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect(other.url("/x"), 302);  // same host, another port
  });
  srv.server.Get("/host", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://baliza-elsewhere.invalid/x", 307);
  });
  srv.server.Get("/loop", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/loop", 302);
  });
  srv.start();
  HttpClient client;
  const HttpResult port = client.fetch(srv.url("/port"));
  EXPECT_EQ(port.http_status, 302);
  EXPECT_EQ(port.location, other.url("/x"));
  EXPECT_EQ(other_hits, 0);
  const HttpResult host = client.fetch(srv.url("/host"));
  EXPECT_EQ(host.http_status, 307);
  EXPECT_EQ(host.location, "http://baliza-elsewhere.invalid/x");
  const HttpResult loop = client.fetch(srv.url("/loop"));  // bounded
  EXPECT_EQ(loop.http_status, 302);
  EXPECT_EQ(loop.redirects, HttpClient::kMaxRedirects);
}

}  // namespace
}  // namespace baliza::extract
