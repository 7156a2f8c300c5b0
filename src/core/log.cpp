#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "core/error.h"

namespace baliza {
namespace {

struct LogState {
  LogFormat format = LogFormat::kText;
  LogLevel level = LogLevel::kInfo;
  std::shared_ptr<spdlog::logger> logger;
};

LogState& state() {
  static LogState s;
  return s;
}

// Serializes log lines with a live display's drawing (set_log_live_display).
struct LiveDisplay {
  std::mutex mutex;
  std::function<void()> erase;
};

LiveDisplay& live() {
  static LiveDisplay d;
  return d;
}

spdlog::logger& logger() {
  LogState& s = state();
  if (!s.logger) {
    s.logger = std::make_shared<spdlog::logger>("baliza",
                                                std::make_shared<spdlog::sinks::stderr_sink_mt>());
    s.logger->set_pattern("%v");  // lines are fully formatted here, in either format
    s.logger->set_level(spdlog::level::trace);
  }
  return *s.logger;
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

bool looks_numeric(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] == '.' && !dot) {
      dot = true;
    } else if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  return s.back() != '.';
}

std::string timestamp_utc() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void log_configure(LogFormat format, LogLevel level) {
  state().format = format;
  state().level = level;
}

LogLevel log_level() {
  return state().level;
}
LogFormat log_format() {
  return state().format;
}

LogLevel parse_log_level(std::string_view text) {
  for (LogLevel l :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    if (text == level_name(l)) return l;
  }
  if (text == "warning") return LogLevel::kWarn;
  throw usage_error("unknown log level '" + std::string(text) +
                    "': use one of debug, info, warn, error, off");
}

LogFormat parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  throw usage_error("unknown log format '" + std::string(text) + "': use text or json");
}

static std::mutex& observer_mutex() {
  static std::mutex m;
  return m;
}

static std::function<void(LogLevel, std::string_view)>& observer() {
  static std::function<void(LogLevel, std::string_view)> f;
  return f;
}

void set_log_observer(std::function<void(LogLevel, std::string_view)> f) {
  std::lock_guard lock(observer_mutex());
  observer() = std::move(f);
}

void log(LogLevel level, std::string_view message, const LogFields& fields) {
  if (level >= LogLevel::kWarn && level != LogLevel::kOff) {
    std::lock_guard lock(observer_mutex());
    if (observer()) observer()(level, message);
  }
  if (level < state().level || state().level == LogLevel::kOff) return;
  std::string line;
  if (state().format == LogFormat::kJson) {
    line = "{\"ts\":\"" + timestamp_utc() + "\",\"level\":\"" + level_name(level) + "\",\"msg\":";
    append_json_string(line, message);
    for (const auto& [key, value] : fields) {
      line.push_back(',');
      append_json_string(line, key);
      line.push_back(':');
      if (looks_numeric(value)) {
        line += value;
      } else {
        append_json_string(line, value);
      }
    }
    line.push_back('}');
  } else {
    if (level >= LogLevel::kWarn) line = std::string(level_name(level)) + ": ";
    line += message;
    for (const auto& [key, value] : fields) {
      line += " " + key + "=" + value;
    }
  }
  std::lock_guard lock(live().mutex);
  if (live().erase) live().erase();
  logger().info(line);
}

void set_log_live_display(std::function<void()> erase) {
  std::lock_guard lock(live().mutex);
  live().erase = std::move(erase);
}

void write_live(const std::function<std::string()>& render) {
  std::lock_guard lock(live().mutex);
  logger().flush();
  const std::string text = render();
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace baliza
