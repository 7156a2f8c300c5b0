// Helpers for the simulator's tests: a running simulator with fixed "today", a loopback
// client, and a pager that walks every page of a query.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pncp_sim/simulator.h"

namespace sim_test {

inline pncp_sim::Options test_options() {
  pncp_sim::Options o;
  o.today = "20240630";
  o.threads = 4;
  o.keep_alive_timeout_s = 1;
  return o;
}

struct Running {
  explicit Running(pncp_sim::Options o = test_options()) : sim(std::move(o)) { sim.start(); }
  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", sim.port());
    c->set_read_timeout(10, 0);
    return c;
  }
  pncp_sim::Simulator sim;
};

inline std::string url(const std::string& path, const std::string& query) {
  return "/api/consulta" + path + "?" + query;
}

// Pages through a query (tamanhoPagina given in `query`), collecting data; checks the envelope
// of every page as it goes.
inline std::vector<nlohmann::json> all_pages(httplib::Client& c, const std::string& path,
                                             const std::string& query, int* pages = nullptr) {
  std::vector<nlohmann::json> out;
  for (int page = 1;; ++page) {
    auto res = c.Get(url(path, query + "&pagina=" + std::to_string(page)));
    if (!res) throw std::runtime_error("request failed");
    if (res->status == 204) break;
    if (res->status != 200) throw std::runtime_error("status " + std::to_string(res->status));
    auto body = nlohmann::json::parse(res->body);
    for (auto& r : body["data"]) out.push_back(r);
    if (pages) *pages = page;
    if (body["paginasRestantes"].get<int>() == 0) break;
  }
  return out;
}

}  // namespace sim_test
