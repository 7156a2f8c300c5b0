// The HTTP server of `baliza ui` (cpp-httplib): the embedded page and its JSON endpoints
// (ui/ui_api.h).
//
// Binding: 127.0.0.1 by default. Another address needs an access token: then every request must
// carry it (`Authorization: Bearer T`, or `?token=T` once, which sets an HttpOnly SameSite=Strict
// cookie). On loopback without a token, requests whose Host header is not the loopback address
// are refused (403), so a web page on another site cannot reach the UI by DNS rebinding.
// Responses carry a Content-Security-Policy that allows only the UI's own scripts and styles.
//
// Errors of an endpoint become JSON {"error": message, "exit_code": n}: 400 for a refused or bad
// statement (exit code 2), 500 for a failed query (1), 503 for the database being unavailable (3).
//
// Threads: httplib's worker threads call the API; the reader serialises database access.
#pragma once

#include <memory>
#include <string>

#include "ui/ui_api.h"

namespace baliza::ui {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8765;  // 0: any free port
  std::string token;
};

class UiServer {
 public:
  // Binds (throws an environment error when the port is taken) but does not serve yet.
  UiServer(UiApi& api, const ServeOptions& options);
  ~UiServer();
  UiServer(const UiServer&) = delete;
  UiServer& operator=(const UiServer&) = delete;

  int port() const { return port_; }
  std::string url() const;
  void run();   // serves until stop()
  void stop();  // from any thread (e.g. a signal watcher)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  ServeOptions options_;
};

// True for 127.0.0.1, ::1 and localhost.
bool is_loopback_host(const std::string& host);

}  // namespace baliza::ui
