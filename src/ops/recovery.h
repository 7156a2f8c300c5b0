// Recovery of an extraction: what is left to do for a period, re-queuing what failed, and
// checking stored pages against the live API.
//
//   requeue_failed()   failed and partial tasks of the period go back to 'pending' (event
//                      'requeued'); extracting them then fetches only their missing pages.
//   recovery_status()  per endpoint: planned, done, failed, partial, pending tasks, pages
//                      still missing, unresolved failed requests, circuits left open by the
//                      last run, and the command to run next.
//   verify_pages()     refetches stored pages (a period, or a random sample) and compares
//                      SHA-256: same / changed / gone (now empty) / failed. Each check is a
//                      row in meta.verifications; a changed body is stored in the raw store
//                      (as a new api_requests row for the same task and page) so the upstream
//                      change can be inspected, while the task's current results stay as they
//                      were. HTTP runs on the fetch engine; only the calling thread writes.
//                      Interrupted (VerifyOptions::interrupts >= 1: Ctrl-C, SIGTERM), it asks
//                      nothing more, lets the requests on the wire finish, stores the pages
//                      checked so far (each row is a complete check) and reports the result
//                      `interrupted` with how many of the selected pages were checked.
//                      An API that cannot be reached at all throws an environment error (exit 3)
//                      naming the host, and records nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/reader.h"
#include "extract/raw_store.h"
#include "plan/endpoint_config.h"
#include "plan/window.h"

namespace baliza::ops {

// Task ids re-queued.
std::vector<std::string> requeue_failed(Connection& conn, const plan::DateRange& range,
                                        const std::vector<std::string>& endpoints,
                                        const std::string& run_id);

struct EndpointRecovery {
  std::string endpoint;
  std::int64_t planned = 0, done = 0, failed = 0, partial = 0, pending = 0, claimed = 0;
  std::int64_t pages_missing = 0;      // known pages of unfinished tasks not stored yet
  std::int64_t records_missing = 0;    // unfinished tasks: totalRegistros - records stored
  std::string complete_through;        // ISO day up to which every task of the period is done ("")
  std::string last_checked;            // when a task of the period was last proved (a completeness
                                       // check, else its last completion); "" = never
  std::int64_t tasks_not_started = 0;  // unfinished tasks without any stored page
  std::int64_t unresolved_failures = 0, permanent_failures = 0;
  std::string last_error;
  std::string circuit;  // state at the end of the last run that moved it ("" = closed)
  std::string next_step;
};

std::vector<EndpointRecovery> recovery_status(Connection& conn, const plan::DateRange& range,
                                              const std::string& period_arg);
// The same through any reader (e.g. the read socket of a running extraction).
std::vector<EndpointRecovery> recovery_status(Reader& reader, const plan::DateRange& range,
                                              const std::string& period_arg);
std::string describe_recovery(const std::vector<EndpointRecovery>& rows);

struct VerifyOptions {
  std::optional<plan::DateRange> range;  // tasks whose window intersects it; all when empty
  double sample = 1.0;                   // fraction of the selected pages, 0 < sample <= 1
  std::uint64_t seed = 0;                // which sample (deterministic)
  std::vector<std::string> endpoints;
  std::string base_url;  // replaces the stored URLs' base when not empty
  int concurrency = 0;
  RawStoreOptions raw;
  // Polled while pages are fetched (cli/interrupts.h); null: never interrupted.
  const std::atomic<int>* interrupts = nullptr;
};

struct VerifyChange {
  std::string endpoint, url, outcome, message;
};

struct VerifyResult {
  std::string run_id;
  std::int64_t selected = 0;  // pages chosen by the range, endpoints and sample
  std::int64_t checked = 0, same = 0, changed = 0, gone = 0, failed = 0;
  std::vector<VerifyChange> changes;  // the first 20 that were not 'same'
  bool interrupted = false;           // stopped by an interrupt: checked < selected may hold
  // 130 when interrupted, else 1 when some page checked was not the same, else 0.
  int exit_code() const { return interrupted ? 130 : checked == same ? 0 : 1; }
};

VerifyResult verify_pages(Connection& conn, const plan::EndpointsConfig& config,
                          const VerifyOptions& options);
std::string describe_verify(const VerifyResult& result);

}  // namespace baliza::ops
