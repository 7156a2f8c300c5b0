#include "pncp_sim/simulator.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "api.h"
#include "calendar.h"
#include "faults.h"
#include "gzip.h"
#include "socket_reset.h"

namespace pncp_sim {

namespace {

const char* kBasePath = "/api/consulta";
// The maintenance API (a purchase's items and results) lives beside it, below /api/pncp; its
// paths are handed to the Api as "/pncp/v1/...".
const char* kPncpBasePath = "/api/pncp";

std::string fault_body(int status, const std::string& path) {
  if (status >= 502 && status <= 504) {  // what the gateway in front of the API sends
    const char* reason = status == 502   ? "502 Bad Gateway"
                         : status == 503 ? "503 Service Temporarily Unavailable"
                                         : "504 Gateway Time-out";
    return std::string("<html>\r\n<head><title>") + reason + "</title></head>\r\n<body>\r\n" +
           "<center><h1>" + reason + "</h1></center>\r\n</body>\r\n</html>\r\n";
  }
  nlohmann::json body = {{"timestamp", detail::now_brasilia_iso()},
                         {"status", status},
                         {"error", status == 429 ? "Too Many Requests" : "Internal Server Error"},
                         {"path", "/pncp-consulta" + path}};
  return body.dump();
}

// httplib picks brotli whenever a client offers it, and its default quality needs ~1.7 s for a
// 700 kB page; PNCP itself answers gzip. Dropping "br" leaves gzip or identity. The Request is
// a non-const object owned by httplib for the duration of the call.
void drop_brotli(const httplib::Request& req) {
  auto& headers = const_cast<httplib::Request&>(req).headers;
  auto it = headers.find("Accept-Encoding");
  if (it == headers.end() || it->second.find("br") == std::string::npos) return;
  std::string kept, token;
  std::stringstream in(it->second);
  while (std::getline(in, token, ',')) {
    size_t start = token.find_first_not_of(' ');
    if (start == std::string::npos || token.compare(start, 2, "br") == 0) continue;
    kept += (kept.empty() ? "" : ", ") + token.substr(start);
  }
  it->second = kept;
}

const char* const kThrottlePage =
    "<!DOCTYPE html>\n<html lang=\"pt-br\"><head><meta charset=\"utf-8\">"
    "<title>Limite de Requisi\xC3\xA7\xC3\xB5\x65s Excedido</title></head>\n<body><h1>Limite de "
    "Requisi\xC3\xA7\xC3\xB5\x65s Excedido</h1><p>Voc\xC3\xAA excedeu o limite de "
    "requisi\xC3\xA7\xC3\xB5\x65s. Tente novamente mais tarde.</p></body></html>\n";

// A silent short page: `drop` records (0 = 60%, at least one) cut from `data`, the envelope
// left as it was.
void cut_records(std::string& body, int drop) {
  nlohmann::json page = nlohmann::json::parse(body, nullptr, false);
  // An envelope's data, or a bare array (the maintenance API's items, under the same envelope-
  // less contract: the page is just shorter).
  const bool bare = page.is_array();
  if (!bare && (!page.is_object() || !page.contains("data") || !page["data"].is_array())) return;
  auto& data = bare ? page : page["data"];
  const size_t n = data.size();
  if (n == 0) return;
  size_t cut = drop > 0 ? static_cast<size_t>(drop) : std::max<size_t>(1, n * 3 / 5);
  cut = std::min(cut, n);
  data.erase(data.end() - static_cast<std::ptrdiff_t>(cut), data.end());
  body = page.dump();
}

// A wrong count: a body that is one non-negative integer (.../itens/quantidade) becomes that
// number plus `offset`, never below 0; any other body is left as it is.
void offset_count(std::string& body, int offset) {
  if (body.empty() || body.size() > 18) return;
  long long n = 0;
  for (char c : body) {
    if (c < '0' || c > '9') return;
    n = n * 10 + (c - '0');
  }
  body = std::to_string(std::max(0LL, n + offset));
}

}  // namespace

struct Simulator::Impl {
  explicit Impl(Options o)
      : options(std::move(o)), api(options), faults(options.seed, options.faults) {}

  void handle(const httplib::Request& req, httplib::Response& res);
  void serve(const std::string& path, const httplib::Request& req, httplib::Response& res,
             const detail::FaultDecision& fault);
  void finish(size_t log_index, int status);

  Options options;
  detail::Api api;
  detail::FaultPlan faults;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  bool running = false;

  mutable std::mutex stats_mutex;
  Stats stats;
  int in_flight = 0;
};

void Simulator::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  const bool pncp = req.path.rfind(std::string(kPncpBasePath) + "/", 0) == 0;
  const std::string path =
      pncp ? req.path.substr(4) : req.path.substr(std::string(kBasePath).size());
  size_t log_index;
  {
    std::lock_guard<std::mutex> lock(stats_mutex);
    ++stats.total_requests;
    ++stats.requests_per_path[path];
    stats.max_in_flight = std::max(stats.max_in_flight, ++in_flight);
    log_index = stats.requests.size();
    stats.requests.push_back({path, req.target, 0, std::chrono::steady_clock::now(), {}});
  }
  detail::QueryParams params(req.params.begin(), req.params.end());
  const std::string key = detail::query_key(path, params);
  // A client is its address and its User-Agent: on loopback every process shares 127.0.0.1, and
  // Baliza's workers name themselves in the User-Agent ("baliza/x.y (worker w1)").
  const detail::FaultDecision fault = faults.decide(
      path, req.target, key, req.remote_addr + "|" + req.get_header_value("User-Agent"));
  drop_brotli(req);
  if (fault.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(fault.delay_ms));
  res.set_header("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
  if (fault.reset) {
    const int fd = detail::find_connection(req.local_port, req.remote_port);
    if (fd >= 0) {
      finish(log_index, 0);  // before the reset, so a client that sees it also sees the stats
      detail::reset_connection(fd);
      return;
    }
  }
  if (fault.throttle_html) {  // the live API's other way of throttling: HTML with status 200
    res.status = 200;
    res.set_content(kThrottlePage, "text/html;charset=UTF-8");
  } else if (fault.status != 0) {
    res.status = fault.status;
    if (fault.retry_after_s >= 0)
      res.set_header("Retry-After", std::to_string(fault.retry_after_s));
    bool html = fault.status >= 502 && fault.status <= 504;
    res.set_content(fault_body(fault.status, path), html ? "text/html" : "application/json");
  } else {
    serve(path, req, res, fault);
  }
  finish(log_index, res.status);
}

void Simulator::Impl::serve(const std::string& path, const httplib::Request& req,
                            httplib::Response& res, const detail::FaultDecision& fault) {
  detail::QueryParams params(req.params.begin(), req.params.end());
  detail::ApiResponse out = api.get(path, params, fault.extra_records, fault.past_end_400);
  res.status = out.status;
  if (out.status == 200 && fault.short_drop >= 0) cut_records(out.body, fault.short_drop);
  if (out.status == 200 && fault.count_offset != 0) offset_count(out.body, fault.count_offset);
  if (out.status == 200 && fault.garbage) out.body = "quantidade: indisponivel <erro interno>";
  if (out.status == 204) {  // empty body, but the live API still labels it JSON
    res.set_header("Content-Type", "application/json");
    return;
  }
  if (out.status == 200 && req.get_param_value("pagina") == "1")
    faults.first_page_served(path, detail::query_key(path, params));
  if (out.status == 200 && fault.truncate) {
    const size_t half = out.body.size() / 2;
    if (fault.cut_json) {
      res.set_content(out.body.substr(0, half), "application/json");
      return;
    }
    // Declares the full Content-Length, sends half, then drops the connection.
    auto body = std::make_shared<std::string>(std::move(out.body));
    res.set_content_provider(body->size(), "application/json",
                             [body, half](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset >= half) return false;
                               sink.write(body->data() + offset, half - offset);
                               return true;
                             });
    return;
  }
  res.set_header("Content-Type", "application/json");
  auto accept = const_cast<httplib::Request&>(req).headers.find("Accept-Encoding");
  if (out.body.size() >= 1024 && accept != req.headers.end() && detail::take_gzip(accept->second)) {
    res.body = detail::gzip_fast(out.body);
    res.set_header("Content-Encoding", "gzip");
    return;
  }
  res.body = std::move(out.body);  // set_content would copy ~700 kB pages
}

void Simulator::Impl::finish(size_t log_index, int status) {
  std::lock_guard<std::mutex> lock(stats_mutex);
  --in_flight;
  if (log_index < stats.requests.size()) {
    stats.requests[log_index].status = status;
    stats.requests[log_index].finished = std::chrono::steady_clock::now();
  }
  ++stats.responses_per_status[status];
}

Simulator::Simulator(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Simulator::~Simulator() {
  stop();
}

void Simulator::start() {
  Impl& s = *impl_;
  if (s.running) return;
  // A client that hangs up mid-response must not kill the process that hosts the simulator.
  if (std::signal(SIGPIPE, SIG_IGN) != SIG_DFL) std::signal(SIGPIPE, SIG_IGN);
  const int threads = std::max(1, s.options.threads);
  s.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.server.set_keep_alive_timeout(s.options.keep_alive_timeout_s);
  s.server.set_tcp_nodelay(true);
  s.server.Get(std::string(kBasePath) + "/v1/.*",
               [&s](const httplib::Request& req, httplib::Response& res) { s.handle(req, res); });
  s.server.Get(std::string(kPncpBasePath) + "/v1/.*",
               [&s](const httplib::Request& req, httplib::Response& res) { s.handle(req, res); });
  if (s.options.port == 0) {
    s.port = s.server.bind_to_any_port(s.options.host);
  } else {
    s.port = s.server.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1;
  }
  if (s.port <= 0)
    throw std::runtime_error("pncp-sim: cannot listen on " + s.options.host + ":" +
                             std::to_string(s.options.port) +
                             " (port in use? pick another with --port, or 0 for any)");
  s.thread = std::thread([&s] { s.server.listen_after_bind(); });
  for (int i = 0; i < 5000 && !s.server.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  s.running = true;
}

void Simulator::stop() {
  Impl& s = *impl_;
  if (!s.running) return;
  s.server.stop();
  if (s.thread.joinable()) s.thread.join();
  s.running = false;
}

int Simulator::port() const {
  return impl_->port;
}

std::string Simulator::base_url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->port) + kBasePath;
}

const Options& Simulator::options() const {
  return impl_->options;
}

long long Simulator::total_now(const std::string& path, const std::string& query) {
  Impl& s = *impl_;
  detail::QueryParams params;
  std::stringstream in(query);
  std::string pair;
  while (std::getline(in, pair, '&')) {
    const size_t eq = pair.find('=');
    if (eq != std::string::npos) params.emplace(pair.substr(0, eq), pair.substr(eq + 1));
  }
  params.erase("pagina");
  const int extra = s.faults.extra_records(path, detail::query_key(path, params));
  params.emplace("pagina", "1");
  const detail::ApiResponse out = s.api.get(path, params, extra);
  if (out.status != 200) return 0;
  return nlohmann::json::parse(out.body).value("totalRegistros", 0LL);
}

Stats Simulator::stats() const {
  std::lock_guard<std::mutex> lock(impl_->stats_mutex);
  return impl_->stats;
}

void Simulator::reset_stats() {
  {
    std::lock_guard<std::mutex> lock(impl_->stats_mutex);
    impl_->stats = Stats{};
  }
  impl_->faults.reset();
}

}  // namespace pncp_sim
