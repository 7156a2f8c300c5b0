// What a run did, as a value: the summary notifications send (ops/notify.h) and the CLI fills
// while a command runs (counts, first errors and warnings, exit code, duration).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace baliza::ops {

struct RunOutcome {
  std::string command;  // what ran, as typed after `baliza`: "build --full-refresh"
  int exit_code = 0;
  double seconds = 0;
  // What it did, in order: {"models ok", 12}, {"tests failed", 1}, {"pages", 4031}, ...
  std::vector<std::pair<std::string, int64_t>> counts;
  std::vector<std::string> errors;    // the first errors, in order (the CLI keeps 5)
  std::vector<std::string> warnings;  // the first warnings
  int64_t more_errors = 0;            // errors beyond those listed
  int64_t more_warnings = 0;
  std::string database;  // the database file
  std::string project;   // the project's name, when known
  std::string host;      // the machine it ran on

  // "failure" (exit code != 0 or an error), "warnings", or "success".
  std::string status() const;
  // Keep the first `kKept` messages and count the rest (not thread-safe: the caller locks).
  static constexpr size_t kKept = 5;
  void add_error(const std::string& message);
  void add_warning(const std::string& message);
};

}  // namespace baliza::ops
