// A loopback HTTP server that behaves like the PNCP consultation API
// (https://pncp.gov.br/api/consulta): the 12 GET endpoints with the real validation errors,
// paging envelope, 204/404 empty answers, gzip, deterministic data (data.h) and injected
// faults (options.h); and, below /api/pncp, the maintenance API's items of a purchase and
// results of an item (src/api_itens.cpp). Stats name those paths "/pncp/v1/orgaos/...".
#pragma once

#include <memory>
#include <string>

#include "pncp_sim/options.h"
#include "pncp_sim/stats.h"

namespace pncp_sim {

class Simulator {
 public:
  explicit Simulator(Options options);
  ~Simulator();  // stops the server
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Binds and serves on a background thread; returns once the socket is listening.
  // Throws std::runtime_error when the address cannot be bound.
  void start();
  // Stops accepting, finishes requests in flight and joins the thread. Idempotent.
  void stop();

  int port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT/api/consulta"
  const Options& options() const;

  Stats stats() const;
  // totalRegistros that `path` (e.g. "/v1/contratos") with `query` ("dataInicial=...&...")
  // answers now, data shifts included, without faults and without counting a request; 0 when
  // it answers empty. The ground truth of a run whose data moved while it was paged.
  long long total_now(const std::string& path, const std::string& query);
  void reset_stats();  // also forgets per-URL attempt counts and data-shift state

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pncp_sim
