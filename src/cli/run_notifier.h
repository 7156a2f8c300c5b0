// The notification at the end of a run-like command (`run`, `build`, `extract`, `workflow`, ...;
// ops/notify.h): RunNotifier starts the clock when main starts, records every warning and error
// logged meanwhile (and `warning: ...` lines said by commands) into the Context's outcome, and
// finish() sends the summary when baliza.yml `notifications:` asks for it. A command that sends
// its own (a workflow, with its steps) calls ctx.mark_notified(). Query-like commands (query,
// ls, config, checkpoint, ...) never notify.
//
// Threads: warnings logged from any thread are recorded under a lock; finish() runs on main's
// thread. A webhook that is down never changes the exit code (ops/notify.h).
#pragma once

#include <chrono>
#include <string>

#include "cli/context.h"

namespace CLI {
class App;
}

namespace baliza::cli {

class RunNotifier {
 public:
  RunNotifier(Context& ctx, int argc, char** argv);
  ~RunNotifier();
  RunNotifier(const RunNotifier&) = delete;
  RunNotifier& operator=(const RunNotifier&) = delete;

  // Sends the notification of the command `app` ran, which ended with exit_code; returns it.
  int finish(const CLI::App& app, int exit_code);

 private:
  Context& ctx_;
  std::string command_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace baliza::cli
