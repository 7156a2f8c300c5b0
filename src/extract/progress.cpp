#include "extract/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
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

std::string endpoint_bar(const EndpointProgress& e, double elapsed_seconds, int name_width,
                         int bar_width) {
  const std::int64_t expected = std::max(e.pages_expected, e.pages_done);
  const double share = expected > 0 ? static_cast<double>(e.pages_done) / expected : 0;
  const bool finished = e.tasks_total > 0 && e.tasks_done >= e.tasks_total;
  const int filled =
      finished ? bar_width : std::clamp(static_cast<int>(share * bar_width), 0, bar_width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(bar_width - filled), '.');
  const double rate = elapsed_seconds > 0 ? e.pages_done / elapsed_seconds : 0;
  const double eta = finished ? 0 : rate > 0 ? (expected - e.pages_done) / rate : -1;
  std::string of = std::to_string(expected);
  if (e.estimated && !finished) of.insert(of.begin(), '~');
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-*s [%s] %6lld/%-7s %6.1f/s  ETA %s", name_width,
                e.endpoint.c_str(), bar.c_str(), static_cast<long long>(e.pages_done), of.c_str(),
                rate, finished ? "done" : human_duration(eta).c_str());
  return buf;
}

std::string total_line(const ProgressSnapshot& s) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "total: tasks %lld/%lld | pages %s | %s | pace %s | throttled %llu | retries "
                "%llu | in flight %llu | circuits open %d",
                static_cast<long long>(s.tasks_done), static_cast<long long>(s.tasks_total),
                human_count(s.pages).c_str(), human_bytes(static_cast<double>(s.bytes)).c_str(),
                s.rate > 0 ? human_rate(s.rate).c_str() : "unlimited",
                static_cast<unsigned long long>(s.throttled),
                static_cast<unsigned long long>(s.retries),
                static_cast<unsigned long long>(s.in_flight), s.open_circuits);
  std::string line = buf;
  if (s.failures > 0) line += " | failures " + std::to_string(s.failures);
  return line;
}

namespace {

int terminal_width() {
  winsize w{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  return 80;
}

}  // namespace

std::vector<std::string> ProgressDisplay::render(const ProgressSnapshot& s, int width) {
  std::vector<std::string> lines;
  int name_width = 0;
  for (const auto& e : s.endpoints)
    name_width = std::max(name_width, static_cast<int>(e.endpoint.size()));
  // name, bar and "123456/~1234567  123.4/s  ETA 1h02m" (36 columns) in the width
  const int bar_width = std::clamp(width - 1 - name_width - 40, 10, 30);
  for (const auto& e : s.endpoints) {
    lines.push_back(endpoint_bar(e, s.elapsed_seconds, name_width, bar_width));
  }
  lines.push_back(total_line(s));
  // A line longer than the terminal wraps, and the display could no longer move back over it.
  const auto keep = static_cast<size_t>(std::max(10, width - 1));
  for (auto& line : lines) {
    if (line.size() > keep) line.resize(keep);
  }
  return lines;
}

ProgressDisplay::ProgressDisplay(bool enabled, bool tty, std::chrono::milliseconds log_every)
    : enabled_(enabled),
      tty_(tty),
      log_every_(log_every),
      last_(std::chrono::steady_clock::now()) {}

ProgressDisplay::~ProgressDisplay() {
  finish();
}

std::string ProgressDisplay::erase_text() {
  std::string out;
  if (lines_ > 0) out = "\033[" + std::to_string(lines_) + "A\r\033[J";
  lines_ = 0;
  return out;
}

void ProgressDisplay::update(const ProgressSnapshot& snapshot) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < (tty_ ? std::chrono::milliseconds(100) : log_every_)) return;
  last_ = now;
  if (!tty_) {
    log_debug("progress: " + progress_line(snapshot));
    return;
  }
  if (!registered_) {
    set_log_live_display([this] {
      const std::string text = erase_text();
      std::fwrite(text.data(), 1, text.size(), stderr);
    });
    registered_ = true;
  }
  const std::vector<std::string> lines = render(snapshot, terminal_width());
  write_live([&] {
    std::string text = erase_text();
    for (const auto& line : lines) text += line + "\n";
    lines_ = static_cast<int>(lines.size());
    return text;
  });
}

void ProgressDisplay::finish() {
  if (!registered_) return;
  set_log_live_display(nullptr);
  registered_ = false;
  write_live([this] { return erase_text(); });
}

}  // namespace baliza::extract
