#include "coord/worker.h"

#include <unistd.h>

#include <thread>

#include "coord/pg_claim_store.h"
#include "coord/pg_extraction_store.h"
#include "coord/pg_schema.h"
#include "core/clock.h"
#include "core/log.h"

namespace baliza::coord {
namespace {

std::string default_worker_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + random_id().substr(0, 6);
}

bool interrupted(const extract::ExtractOptions& o) {
  return o.interrupts && o.interrupts->load() > 0;
}

// Sums what a later round of the same worker did into `into`.
void add_round(extract::ExtractResult& into, const extract::ExtractResult& round) {
  for (const auto& [endpoint, totals] : round.endpoints) into.endpoints[endpoint].add(totals);
  into.interrupted = into.interrupted || round.interrupted;
  into.writer_failures += round.writer_failures;
  into.seconds += round.seconds;
}

}  // namespace

std::unique_ptr<PgConnection> connect_coordinator(const std::string& url,
                                                  std::chrono::seconds patience) {
  auto conn = std::make_unique<PgConnection>(url);
  run_with_reconnect(conn, url, patience, [&] { ensure_coordinator_schema(*conn); });
  return conn;
}

extract::ExtractResult run_worker(const WorkerOptions& worker, const plan::EndpointsConfig& config,
                                  extract::ExtractOptions options) {
  const std::string id = worker.worker_id.empty() ? default_worker_id() : worker.worker_id;
  set_session_name("baliza worker " + id);
  // A worker's transactions last milliseconds: one left open a minute belongs to a paused
  // process, and the server ends it (its claims expire and are re-claimed meanwhile).
  set_session_idle_timeout(60);
  struct ResetSession {
    ~ResetSession() {
      set_session_idle_timeout(0);
      set_session_name("baliza");
    }
  } reset_session;
  connect_coordinator(worker.url, worker.patience);  // fail fast, and make sure the tables exist
  PgExtractionStore store(worker.url, id, worker.patience);
  PgClaimStore claims(worker.url, store.writer(), worker.patience, &store.fence());
  options.worker_id = id;
  log_info("worker started", {{"worker", id}, {"coordinator", redact_url(worker.url)}});
  extract::ExtractResult total = extract::run_extract(store, claims, config, options);
  while (!worker.once && !interrupted(options)) {
    const auto [held, expires_in] = claims.claimed_elsewhere(options.scope);
    if (held == 0 && claims.count_pending(options.scope) == 0) break;
    if (held > 0) {
      log_info("waiting for tasks other workers hold (they are re-claimed if their claims expire)",
               {{"tasks", std::to_string(held)},
                {"next_expiry_s", std::to_string(static_cast<int>(expires_in))}});
      const auto wait = std::chrono::milliseconds(
          std::clamp<long>(static_cast<long>(expires_in * 1000) + 200, 200, 1000));
      const auto until = std::chrono::steady_clock::now() + wait;
      while (std::chrono::steady_clock::now() < until && !interrupted(options)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (interrupted(options)) break;
      claims.reap_expired();
    }
    add_round(total, extract::run_extract(store, claims, config, options));
  }
  store.flush();
  total.writer_failures = store.refused_writes();
  claims.stop_worker(id);
  return total;
}

}  // namespace baliza::coord
