// Logging: text lines for people, JSON lines ({"ts","level","msg",fields...}) for machines.
// Everything goes to stderr so stdout stays clean for command output (query results, payloads).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace baliza {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };
enum class LogFormat { kText, kJson };

// Structured fields; values are written as JSON strings unless they parse as numbers.
using LogFields = std::vector<std::pair<std::string, std::string>>;

void log_configure(LogFormat format, LogLevel level);
LogLevel log_level();
LogFormat log_format();

// Parses "debug|info|warn|error|off" and "text|json"; throws a usage error otherwise.
LogLevel parse_log_level(std::string_view text);
LogFormat parse_log_format(std::string_view text);

void log(LogLevel level, std::string_view message, const LogFields& fields = {});
inline void log_debug(std::string_view m, const LogFields& f = {}) {
  log(LogLevel::kDebug, m, f);
}
inline void log_info(std::string_view m, const LogFields& f = {}) {
  log(LogLevel::kInfo, m, f);
}
inline void log_warn(std::string_view m, const LogFields& f = {}) {
  log(LogLevel::kWarn, m, f);
}
inline void log_error(std::string_view m, const LogFields& f = {}) {
  log(LogLevel::kError, m, f);
}

// Called with every warning and error logged (whatever the level shown), e.g. to summarise a
// run in its notification (cli/run_notifier.h). One observer; nullptr removes it. It runs on
// the logging thread, outside the output lock: it must be thread-safe and must not log.
void set_log_observer(std::function<void(LogLevel, std::string_view)> observer);

// A live display on stderr (progress bars redrawn in place) that log lines must not tear:
// log() calls `erase` under its output lock before writing a line (the display then redraws
// itself on its next update), and write_live() writes the display's own text under the same
// lock. One display at a time; nullptr unregisters it.
void set_log_live_display(std::function<void()> erase);
// `render` runs under the lock and returns the text to write (escape codes included).
void write_live(const std::function<std::string()>& render);

// Writes s as a JSON string literal (with quotes) onto out.
void append_json_string(std::string& out, std::string_view s);

}  // namespace baliza
