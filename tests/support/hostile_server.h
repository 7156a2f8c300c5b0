// A scriptable hostile HTTP server on 127.0.0.1 for extraction tests: every connection is read
// up to the end of its request head and handed to the test's handler, which writes whatever
// bytes it likes (a valid answer, a cut body, a wrong Content-Length, a chunk cut in the middle,
// corrupt gzip, nothing at all) and may stall, reset or close the connection. This makes the
// faults a real API shows (or that a network in between adds) that a well-behaved server such
// as the PNCP simulator cannot produce.
//
// Contract: one request per connection (answers carry `Connection: close`; the server closes
// the connection after the handler returns, unless the handler reset it). Handlers run on the
// connection's own thread, so several run at once: they must be thread-safe. A handler that
// stalls calls HostileConn::stall(), which returns when the server is destroyed (or the client
// hangs up), so a test never waits for it. Requests are counted and their targets kept.
// Lifetime: the destructor stops accepting, wakes every stalled handler and joins every thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/loopback_socket.h"

namespace baliza::testing {

struct HostileRequest {
  std::string target;  // "/v1/contratos?dataInicial=...&pagina=2"
  std::string path;    // "/v1/contratos"
  std::map<std::string, std::string> query;
  std::string head;  // the request head as received
  int index = 0;     // 1-based, in the order the server read the request heads
  int query_int(const std::string& key, int fallback = 0) const {
    const auto it = query.find(key);
    return it == query.end() ? fallback : std::atoi(it->second.c_str());
  }
};

class HostileConn {
 public:
  HostileConn(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}
  // Writes all of `bytes` (as far as the peer takes them).
  void send(std::string_view bytes) {
    while (!bytes.empty() && fd_ >= 0) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Sleeps until the server stops, the peer hangs up, or `limit` passes.
  void stall(std::chrono::milliseconds limit = std::chrono::milliseconds(60000)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) {
        char c;
        if (::recv(fd_, &c, 1, MSG_PEEK) <= 0) return;  // the client hung up
      }
    }
  }
  // Sends `bytes` one byte per `gap` (a trickling body) until done or the peer hangs up.
  void trickle(std::string_view bytes, std::chrono::milliseconds gap) {
    for (char c : bytes) {
      if (stopping_) return;
      if (::send(fd_, &c, 1, MSG_NOSIGNAL) <= 0) return;
      std::this_thread::sleep_for(gap);
    }
  }
  // Closes with a TCP reset (SO_LINGER 0) instead of an orderly FIN.
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }

 private:
  int fd_;
  const std::atomic<bool>& stopping_;
};

// A complete HTTP/1.1 answer with Content-Length and Connection: close.
inline std::string http_answer(int status, std::string_view body,
                               std::string_view content_type = "application/json",
                               const std::vector<std::string>& headers = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  if (!content_type.empty()) out += "Content-Type: " + std::string(content_type) + "\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  out += body;
  return out;
}

class HostileServer {
 public:
  using Handler = std::function<void(const HostileRequest&, HostileConn&)>;

  explicit HostileServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = bind_loopback(port_, 64);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~HostileServer() {
    stopping_ = true;
    acceptor_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
    ::close(fd_);
  }
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  int requests() const { return requests_; }
  std::vector<std::string> targets() const {
    std::lock_guard lock(mutex_);
    return targets_;
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      std::lock_guard lock(mutex_);
      threads_.emplace_back([this, client] { serve(client); });
    }
  }

  void serve(int client) {
    HostileRequest req;
    if (!read_head(client, req.head)) {
      ::close(client);
      return;
    }
    const auto sp1 = req.head.find(' ');
    const auto sp2 = req.head.find(' ', sp1 + 1);
    req.target = req.head.substr(sp1 + 1, sp2 - sp1 - 1);
    const auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) {
      std::string_view rest(req.target);
      rest.remove_prefix(q + 1);
      while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view kv = rest.substr(0, amp);
        const auto eq = kv.find('=');
        req.query[std::string(kv.substr(0, eq))] =
            eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
      }
    }
    {
      std::lock_guard lock(mutex_);
      req.index = ++requests_;
      targets_.push_back(req.target);
    }
    HostileConn conn(client, stopping_);
    handler_(req, conn);
    if (conn.fd() >= 0) ::close(conn.fd());
  }

  bool read_head(int client, std::string& head) {
    char buf[2048];
    while (head.find("\r\n\r\n") == std::string::npos) {
      if (stopping_) return false;
      pollfd p{client, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const auto got = ::recv(client, buf, sizeof buf, 0);
      if (got <= 0) return false;
      head.append(buf, static_cast<std::size_t>(got));
    }
    return true;
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace baliza::testing
