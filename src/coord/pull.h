// `baliza pull`: copies what the workers stored in the coordinator (PostgreSQL) into the local
// DuckDB file, so that transformation, lineage and the UI work as if the extraction had run
// here.
//
// What is copied: task statuses (planning.task_plan), raw pages (raw.payloads, content-
// addressed, only bodies not already here; raw.api_requests), results (runtime.task_results,
// superseded marks included), failed requests, data shifts, completeness checks, circuit events,
// schema versions, the workers' run log, and a snapshot of the workers (meta.coordinator_workers).
//
// Completeness: every coordinator row carries the id of the transaction that last wrote it
// (pg_schema.h). A pull reads, in one REPEATABLE READ snapshot, the rows whose xid is in
// [previous watermark, snapshot xmin): every transaction below xmin has ended, so a row
// committed late has an xid >= the new watermark and is copied by the next pull, never
// skipped. The watermark is saved (meta.coordinator_pulls) in the same local transaction as
// the statuses and results; pages are copied first in chunks and are idempotent (a request
// or body already here is skipped), so a pull killed at any point converges when rerun.
// Two current results of one task page (a worker whose claim expired while it worked) are
// reduced to one, the first stored; the other is kept as superseded.
//
// Interrupts (`interrupts` >= 1: Ctrl-C, SIGTERM) are polled between chunks and steps: the pull
// stops there, the chunks of pages already copied stay (they are idempotent), nothing else is
// written (statuses, results and the watermark are one transaction that is not begun), and the
// result says `interrupted`; the next pull copies the rest.
//
// Threads: the caller's; needs the local database's writer connection. Errors: as
// pg_connection.h; DuckDB errors as baliza::Error.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "coord/pg_connection.h"
#include "db/database.h"

namespace baliza::coord {

struct PullResult {
  std::int64_t tasks = 0;         // task rows updated or added
  std::int64_t requests = 0;      // requests copied
  std::int64_t payloads_new = 0;  // bodies that were not here
  std::int64_t results = 0;       // result rows copied (new or changed)
  std::int64_t failures = 0;      // failed-request rows copied
  std::int64_t duplicates_superseded = 0;
  std::string watermark;     // the new one ("" when interrupted: not saved)
  bool interrupted = false;  // only `requests` and `payloads_new` were written, the rest is 0
};

PullResult pull_from_coordinator(Connection& local, PgConnection& pg,
                                 const std::atomic<int>* interrupts = nullptr);

std::string describe_pull(const PullResult& r);

}  // namespace baliza::coord
