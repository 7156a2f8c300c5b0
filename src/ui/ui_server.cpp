#include "ui/ui_server.h"

#include <httplib.h>

#include <cstdlib>

#include "core/error.h"
#include "ui/http_body.h"
#include "ui/ui_assets.h"

namespace baliza::ui {

using nlohmann::json;

bool is_loopback_host(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

struct UiServer::Impl {
  httplib::Server server;
};

namespace {

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

bool same_token(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string cookie_value(const httplib::Request& req, const std::string& name) {
  std::string cookies = req.get_header_value("Cookie");
  size_t at = 0;
  while (at < cookies.size()) {
    size_t end = cookies.find(';', at);
    if (end == std::string::npos) end = cookies.size();
    std::string part = cookies.substr(at, end - at);
    size_t first = part.find_first_not_of(' ');
    if (first != std::string::npos) part = part.substr(first);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    at = end + 1;
  }
  return "";
}

void send_json(const httplib::Request& req, httplib::Response& res, const json& body) {
  res.set_header("Cache-Control", "no-store");
  send_body(req, res, body.dump(-1, ' ', false, json::error_handler_t::replace),
            "application/json");
}

void send_error(const httplib::Request& req, httplib::Response& res, const Error& e) {
  int status = e.code() == ExitCode::kUsage ? 400 : e.code() == ExitCode::kEnvironment ? 503 : 500;
  res.status = status;
  send_json(req, res, {{"error", e.what()}, {"exit_code", static_cast<int>(e.code())}});
}

std::uint64_t number_param(const httplib::Request& req, const char* name, std::uint64_t fallback,
                           std::uint64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  char* end = nullptr;
  unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') throw usage_error(std::string("?") + name + " must be a number");
  return n > max ? max : n;
}

// Runs an endpoint body, turning errors into JSON.
template <typename Body>
httplib::Server::Handler endpoint(Body body) {
  return [body](const httplib::Request& req, httplib::Response& res) {
    try {
      body(req, res);
    } catch (const Error& e) {
      send_error(req, res, e);
    } catch (const std::exception& e) {
      send_error(req, res, failure(e.what()));
    }
  };
}

}  // namespace

UiServer::UiServer(UiApi& api, const ServeOptions& options)
    : impl_(std::make_unique<Impl>()), options_(options) {
  if (!is_loopback_host(options.host) && options.token.empty()) {
    throw usage_error("serving on " + options.host +
                      " needs an access token: add --token <secret> (every request must then "
                      "carry it)");
  }
  httplib::Server& s = impl_->server;
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kCsp);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    if (options_.token.empty()) {
      std::string host = req.get_header_value("Host");
      std::string bare = host.substr(0, host.rfind(':'));
      if (host.rfind('[', 0) == 0) bare = host.substr(1, host.find(']') - 1);
      if (!is_loopback_host(bare)) {
        res.status = 403;
        send_body(req, res, "forbidden: open the UI as http://127.0.0.1:" + std::to_string(port_),
                  "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    }
    std::string given;
    std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) == 0) given = auth.substr(7);
    if (given.empty()) given = cookie_value(req, "baliza_token");
    if (given.empty() && req.has_param("token")) {
      given = req.get_param_value("token");
      if (same_token(given, options_.token)) {
        res.set_header("Set-Cookie",
                       "baliza_token=" + given + "; HttpOnly; SameSite=Strict; Path=/");
      }
    }
    if (!same_token(given, options_.token)) {
      res.status = 401;
      send_body(req, res, "unauthorized: add ?token=<the --token value> to the URL", "text/plain");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  s.Get("/api/summary",
        endpoint([&api](const auto& req, auto& res) { send_json(req, res, api.summary()); }));
  s.Get("/api/runs",
        endpoint([&api](const auto& req, auto& res) { send_json(req, res, api.runs()); }));
  s.Get("/api/live",
        endpoint([&api](const auto& req, auto& res) { send_json(req, res, api.live()); }));
  s.Get("/api/coverage",
        endpoint([&api](const auto& req, auto& res) { send_json(req, res, api.coverage()); }));
  s.Get("/api/coverage/cell", endpoint([&api](const auto& req, auto& res) {
          send_json(req, res,
                    api.coverage_cell(req.get_param_value("endpoint"), req.get_param_value("day")));
        }));
  s.Get("/api/models", endpoint([&api](const auto& req, auto& res) {
          ModelsQuery q;
          q.focus = req.get_param_value("focus");
          q.depth = static_cast<int>(number_param(req, "depth", 2, 50));
          q.group = req.get_param_value("group");
          q.all = req.get_param_value("all") == "1";
          send_json(req, res, api.models(q));
        }));
  s.Get("/api/models/search", endpoint([&api](const auto& req, auto& res) {
          send_json(
              req, res,
              api.search_models(req.get_param_value("q"), number_param(req, "limit", 20, 500)));
        }));
  s.Get("/api/model", endpoint([&api](const auto& req, auto& res) {
          send_json(req, res, api.model(req.get_param_value("id")));
        }));
  s.Get("/api/quality",
        endpoint([&api](const auto& req, auto& res) { send_json(req, res, api.quality()); }));
  auto row_choice = [](const httplib::Request& req) {
    return RowChoice{req.get_param_value("column"), req.get_param_value("value"),
                     req.get_param_value("where")};
  };
  s.Get("/api/lineage/rows", endpoint([&api](const auto& req, auto& res) {
          send_json(req, res,
                    api.lineage_rows(req.get_param_value("model"),
                                     number_param(req, "offset", 0, 1ULL << 40),
                                     number_param(req, "limit", 20, 500)));
        }));
  s.Get("/api/trace", endpoint([&api, row_choice](const auto& req, auto& res) {
          send_json(req, res,
                    api.trace(req.get_param_value("model"), row_choice(req),
                              number_param(req, "offset", 0, 1ULL << 40),
                              number_param(req, "limit", 10, 100)));
        }));
  s.Get("/api/impact", endpoint([&api, row_choice](const auto& req, auto& res) {
          send_json(
              req, res,
              api.impact(req.get_param_value("page"), req.get_param_value("model"), row_choice(req),
                         req.get_param_value("field"), number_param(req, "limit", 5, 100)));
        }));
  s.Get("/api/workflows", endpoint([&api](const auto& req, auto& res) {
          send_json(req, res, api.workflows(req.get_param_value("run")));
        }));
  s.Get("/api/workers",
        endpoint([&api](const auto& req, auto& res) { send_json(req, res, api.workers()); }));
  s.Get("/api/query", endpoint([&api](const auto& req, auto& res) {
          std::uint64_t offset = number_param(req, "offset", 0, 1ULL << 40);
          std::uint64_t limit = number_param(req, "limit", 100, 10000);
          send_json(req, res, api.query(req.get_param_value("sql"), offset, limit));
        }));
  s.Get("/api/query.csv", endpoint([&api](const auto& req, auto& res) {
          res.set_header("Content-Disposition", "attachment; filename=\"query.csv\"");
          send_body(req, res, api.query_csv(req.get_param_value("sql")), "text/csv; charset=utf-8");
        }));
  s.Get(R"(/(|index\.html|assets/[A-Za-z0-9._-]+))",
        [](const httplib::Request& req, httplib::Response& res) {
          auto asset = find_ui_asset(req.path);
          if (!asset) {
            res.status = 404;
            return;
          }
          send_asset(req, res, asset->content, asset->mime_type);
        });

  port_ = options.port == 0 ? s.bind_to_any_port(options.host)
                            : (s.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port_ < 0) {
    throw environment_error("cannot listen on " + options.host + ":" +
                            std::to_string(options.port) +
                            " (in use?): pick another with --port N, or --port 0 for any free one");
  }
}

UiServer::~UiServer() {
  stop();
}

std::string UiServer::url() const {
  std::string host =
      options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
  return "http://" + host + ":" + std::to_string(port_) + "/";
}

void UiServer::run() {
  impl_->server.listen_after_bind();
}

void UiServer::stop() {
  impl_->server.stop();
}

}  // namespace baliza::ui
