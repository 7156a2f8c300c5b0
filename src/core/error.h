// Errors and exit codes shared by every layer.
//
// Baliza reports failures by throwing baliza::Error. Each error carries the exit code the
// CLI returns for it, so a message written deep in a layer still ends as the right code:
//   0 ok, 1 a unit of work failed, 2 usage or config error, 3 environment (lock, disk, perms).
// Messages say what went wrong, where (file:line, URL, model, SQL) and how to fix it.
#pragma once

#include <stdexcept>
#include <string>

namespace baliza {

enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,      // a model, test, task or check failed
  kUsage = 2,        // bad command line or configuration
  kEnvironment = 3,  // database locked, disk full, permissions, missing library
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// Shorthands that read well at the throw site.
inline Error usage_error(const std::string& message) {
  return Error(ExitCode::kUsage, message);
}
inline Error failure(const std::string& message) {
  return Error(ExitCode::kFailure, message);
}
inline Error environment_error(const std::string& message) {
  return Error(ExitCode::kEnvironment, message);
}

}  // namespace baliza
