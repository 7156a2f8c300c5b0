// Live progress of an extraction. On a terminal a bar per endpoint (pages done / expected,
// pages per second, ETA) and a total line (tasks, bytes, pace, throttles, failures, circuits)
// are redrawn in place, at most ten times a second, below the log lines (which erase and
// let it redraw, core/log.h); lines are cut to the terminal's width. Without a terminal (CI, a
// pipe, a log file) it stays quiet: a progress line goes to the log at debug level every
// `log_every`. finish() erases the display so the summary starts on a clean line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "extract/adaptive_pacer.h"

namespace baliza::extract {

// One endpoint's share of the run. Pages expected = pages stored this run + pages the claimed
// tasks still lack (their totalPaginas is known) + an estimate for the tasks whose first page
// has not come back yet (the average pages per task seen so far, 1 before any).
struct EndpointProgress {
  std::string endpoint;
  std::int64_t pages_done = 0;
  std::int64_t pages_expected = 0;
  std::int64_t tasks_done = 0;   // finished this run
  std::int64_t tasks_total = 0;  // of this run
  bool estimated = false;        // pages_expected includes an estimate
};

struct ProgressSnapshot {
  std::int64_t tasks_done = 0;   // finished this run (done, failed or partial)
  std::int64_t tasks_total = 0;  // of this run: finished + claimed + still pending
  std::int64_t pages = 0;
  std::int64_t records = 0;
  std::uint64_t bytes = 0;  // page bodies, uncompressed
  std::int64_t failures = 0;
  std::uint64_t in_flight = 0;
  std::uint64_t retries = 0;
  int open_circuits = 0;
  double rate = 0;              // requests per second the pacing allows now (all hosts)
  std::uint64_t throttled = 0;  // 429s and HTML throttle pages so far
  double elapsed_seconds = 0;
  std::vector<EndpointProgress> endpoints;  // those with tasks in this run
};

// "contratos      [#######.............]    120/~310       6.1/s  ETA 31s" (pages)
std::string endpoint_bar(const EndpointProgress& e, double elapsed_seconds, int name_width,
                         int bar_width = 20);
// The total line under the bars: "total: tasks 120/963 | pages 340 | 4.1 MB | pace 0.62 req/s |
// throttled 3 | retries 5 | in flight 4 | circuits open 0".
std::string total_line(const ProgressSnapshot& s);

// "1.2 MB", "850 B"
std::string human_bytes(double bytes);
// "0.5 req/s", "12 req/s"
std::string human_rate(double per_second);
// "3m05s", "1h02m", "--" for unknown
std::string human_duration(double seconds);
// The status line (without decorations), e.g.
// "tasks 120/963 | pages 340 | records 12.3k | 4.1 MB | 85 pages/s | ETA 1m10s | circuits open 0"
std::string progress_line(const ProgressSnapshot& s);

// One line per host for the run summary, e.g.
// "pace pncp.gov.br: 0.62 req/s at the end (cap 0.68), 412 answers, 3 throttled (429 or
// throttle page), 2 cuts, 9 raises, latency 1.7 s"; empty when nothing was sent.
std::string describe_pacing(const std::vector<HostPacing>& hosts);

class ProgressDisplay {
 public:
  // tty: bars redrawn in place on stderr; otherwise debug log lines.
  ProgressDisplay(bool enabled, bool tty,
                  std::chrono::milliseconds log_every = std::chrono::seconds(5));
  ~ProgressDisplay();  // finish()
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;
  void update(const ProgressSnapshot& snapshot);
  void finish();

  // The lines drawn for a snapshot on a terminal `width` columns wide.
  static std::vector<std::string> render(const ProgressSnapshot& s, int width);

 private:
  std::string erase_text();  // under the log's output lock

  bool enabled_;
  bool tty_;
  std::chrono::milliseconds log_every_;
  std::chrono::steady_clock::time_point last_{};
  bool registered_ = false;
  int lines_ = 0;  // lines on screen now; under the log's output lock
};

}  // namespace baliza::extract
