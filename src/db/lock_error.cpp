#include "db/lock_error.h"

#include <fstream>
#include <sstream>

namespace baliza {

std::string process_command_line(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string raw = ss.str(), cmd, arg;
  // Arguments are NUL-separated; quote those with spaces so the line can be pasted back.
  auto flush = [&] {
    if (!cmd.empty()) cmd.push_back(' ');
    cmd += arg.find(' ') == std::string::npos ? arg : "'" + arg + "'";
    arg.clear();
  };
  for (char c : raw) {
    if (c == '\0') {
      flush();
    } else {
      arg.push_back(c);
    }
  }
  if (!arg.empty()) flush();
  return cmd;
}

std::optional<LockConflict> lock_conflict_error(const std::string& path,
                                                const std::string& message) {
  if (message.find("Could not set lock") == std::string::npos &&
      message.find("Conflicting lock") == std::string::npos) {
    return std::nullopt;
  }
  int pid = 0;
  if (auto at = message.find("PID "); at != std::string::npos) {
    pid = std::atoi(message.c_str() + at + 4);
  }
  std::string holder = "another process";
  if (pid > 0) {
    std::string cmd = process_command_line(pid);
    holder = "process " + std::to_string(pid) + (cmd.empty() ? "" : " (" + cmd + ")");
  }
  std::string fix = pid > 0 ? "wait for it to finish, or stop it with `kill " +
                                  std::to_string(pid) + "`, then run the command again"
                            : "wait for the other process to finish, then run the command again";
  return LockConflict(
      "database " + path + " is locked by " + holder +
          ". DuckDB allows one writing process per file: " + fix +
          " (or add --wait to wait for it). (Use --db to work on a different file.)",
      pid);
}

}  // namespace baliza
