#include "extract/progress.h"

#include <cstdio>

#include "core/log.h"

namespace baliza::extract {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return buf;
}

std::string human_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 360000) return "--";
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", s);
  }
  return buf;
}

namespace {

std::string human_count(std::int64_t n) {
  char buf[32];
  if (n >= 1000000) {
    std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
  } else if (n >= 10000) {
    std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
  }
  return buf;
}

}  // namespace

std::string human_rate(double per_second) {
  char buf[32];
  std::snprintf(buf, sizeof buf, per_second >= 10 ? "%.0f req/s" : "%.2g req/s", per_second);
  return buf;
}

std::string describe_pacing(const std::vector<HostPacing>& hosts) {
  std::string out;
  char buf[320];
  for (const HostPacing& h : hosts) {
    if (h.answers == 0) continue;
    const std::string cap = h.cap > 0 ? " (cap " + human_rate(h.cap) + ")" : "";
    std::snprintf(
        buf, sizeof buf,
        "pace %s: %s at the end%s, %llu answers, %llu throttled (%llu of them HTML "
        "pages with status 200), %llu cuts, %llu raises, latency %.0f ms\n",
        h.host.c_str(), h.rate > 0 ? human_rate(h.rate).c_str() : "unlimited", cap.c_str(),
        static_cast<unsigned long long>(h.answers), static_cast<unsigned long long>(h.throttled),
        static_cast<unsigned long long>(h.throttle_pages), static_cast<unsigned long long>(h.cuts),
        static_cast<unsigned long long>(h.raises), h.latency_ms);
    out += buf;
  }
  return out;
}

std::string progress_line(const ProgressSnapshot& s) {
  const double rate = s.elapsed_seconds > 0 ? s.pages / s.elapsed_seconds : 0;
  const double task_rate = s.elapsed_seconds > 0 ? s.tasks_done / s.elapsed_seconds : 0;
  const double eta =
      task_rate > 0 ? static_cast<double>(s.tasks_total - s.tasks_done) / task_rate : -1;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "tasks %lld/%lld | pages %s | records %s | %s | %.0f pages/s | ETA %s | "
                "in flight %llu | circuits open %d",
                static_cast<long long>(s.tasks_done), static_cast<long long>(s.tasks_total),
                human_count(s.pages).c_str(), human_count(s.records).c_str(),
                human_bytes(static_cast<double>(s.bytes)).c_str(), rate,
                s.tasks_done >= s.tasks_total ? "0s" : human_duration(eta).c_str(),
                static_cast<unsigned long long>(s.in_flight), s.open_circuits);
  std::string line = buf;
  if (s.rate > 0) line += " | pace " + human_rate(s.rate);
  line += " | throttled " + std::to_string(s.throttled);
  if (s.failures > 0) line += " | failures " + std::to_string(s.failures);
  return line;
}

ProgressDisplay::ProgressDisplay(bool enabled, bool tty, std::chrono::milliseconds log_every)
    : enabled_(enabled),
      tty_(tty),
      log_every_(log_every),
      last_(std::chrono::steady_clock::now()) {}

void ProgressDisplay::update(const ProgressSnapshot& snapshot) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < (tty_ ? std::chrono::milliseconds(100) : log_every_)) return;
  last_ = now;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", progress_line(snapshot).c_str());
    std::fflush(stderr);
    drawn_ = true;
  } else {
    log_info("progress: " + progress_line(snapshot));
  }
}

void ProgressDisplay::finish() {
  if (enabled_ && tty_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  drawn_ = false;
}

}  // namespace baliza::extract
