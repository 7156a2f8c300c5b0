// Loopback HTTP servers for the extract tests: a cpp-httplib server on 127.0.0.1 with an
// ephemeral port, and a raw TCP server that can drop connections without answering.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "support/loopback_socket.h"

namespace baliza::extract::testing {

// Register handlers on `server` before start().
class LoopbackServer {
 public:
  httplib::Server server;

  void start() {
    port_ = server.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackServer() {
    server.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  int port_ = 0;
  std::thread thread_;
};

// Accepts connections one at a time; for each, reads the request head and then either closes
// the socket without a word (while drop_first > 0) or writes `response` and closes.
class DroppingServer {
 public:
  DroppingServer(int drop_first, std::string response)
      : drop_first_(drop_first), response_(std::move(response)) {
    fd_ = baliza::testing::bind_loopback(port_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~DroppingServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int connections() const { return connections_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      const int n = ++connections_;
      read_head(client);
      if (n > drop_first_) {
        [[maybe_unused]] auto w = ::write(client, response_.data(), response_.size());
      }
      ::close(client);
    }
  }
  static void read_head(int client) {
    std::string head;
    char buf[1024];
    while (head.find("\r\n\r\n") == std::string::npos) {
      const auto got = ::read(client, buf, sizeof buf);
      if (got <= 0) return;
      head.append(buf, static_cast<std::size_t>(got));
    }
  }

  int drop_first_;
  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A port on 127.0.0.1 where nothing listens (bound, then closed).
inline int closed_port() {
  int port = 0;
  ::close(baliza::testing::bind_loopback(port, 0));
  return port;
}

// Counts requests running at once in a handler: Track t(gauge) inside the handler.
class InFlightGauge {
 public:
  struct Track {
    explicit Track(InFlightGauge& g) : g_(g) {
      const int now = ++g_.current_;
      int seen = g_.max_;
      while (now > seen && !g_.max_.compare_exchange_weak(seen, now)) {
      }
    }
    ~Track() { --g_.current_; }
    InFlightGauge& g_;
  };
  int max() const { return max_; }
  int current() const { return current_; }

 private:
  std::atomic<int> current_{0};
  std::atomic<int> max_{0};
};

// A latch handlers can block on until the test opens it (so servers stop promptly).
class Gate {
 public:
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(20), [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Polls `predicate` until it holds or `timeout` passes; returns its last value.
inline bool eventually(const std::function<bool()>& predicate,
                       std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace baliza::extract::testing
