// Runs a command as a user would (through /bin/sh) and captures its exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace baliza::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `command` in `cwd` with stdin from /dev/null; stderr is captured through a temp file.
inline ProcessResult run_command(const std::string& command, const std::filesystem::path& cwd) {
  auto err_path = cwd / ".stderr.capture";
  std::string full =
      "cd '" + cwd.string() + "' && " + command + " </dev/null 2>'" + err_path.string() + "'";
  ProcessResult result;
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.err = read_file(err_path);
  std::filesystem::remove(err_path);
  return result;
}

}  // namespace baliza::testing
