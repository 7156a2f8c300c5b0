// Live progress of an extraction. On a terminal one status line is redrawn in place (at most
// ten times a second); without one (CI, a pipe, a log file) a log line is written every
// `log_every`. finish() ends the live line so the summary starts on a clean line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "extract/adaptive_pacer.h"

namespace baliza::extract {

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
};

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
  // tty: redraw in place on stderr; otherwise log lines.
  ProgressDisplay(bool enabled, bool tty,
                  std::chrono::milliseconds log_every = std::chrono::seconds(5));
  void update(const ProgressSnapshot& snapshot);
  void finish();

 private:
  bool enabled_;
  bool tty_;
  std::chrono::milliseconds log_every_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

}  // namespace baliza::extract
