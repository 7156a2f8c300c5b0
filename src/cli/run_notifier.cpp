#include "cli/run_notifier.h"

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <set>

#include "core/log.h"
#include "ops/notify.h"

namespace baliza::cli {
namespace {

// Commands whose end is worth a notification: they do units of work that can fail.
const std::set<std::string> kRunCommands = {
    "run",       "demo",   "extract",  "retry-failed", "verify",   "plan",
    "transform", "build",  "seed",     "test",         "snapshot", "dbt",
    "pull",      "worker", "workflow", "export",       "reset",    "rollback"};

std::string host_name() {
  char buf[256] = {};
  return gethostname(buf, sizeof buf - 1) == 0 ? buf : "";
}

}  // namespace

RunNotifier::RunNotifier(Context& ctx, int argc, char** argv)
    : ctx_(ctx), started_(std::chrono::steady_clock::now()) {
  for (int i = 1; i < argc; ++i) command_ += (command_.empty() ? "" : " ") + std::string(argv[i]);
  set_log_observer([&ctx](LogLevel level, std::string_view message) {
    ctx.record(level >= LogLevel::kError, std::string(message));
  });
}

RunNotifier::~RunNotifier() {
  set_log_observer(nullptr);
}

int RunNotifier::finish(const CLI::App& app, int exit_code) {
  auto parsed = app.get_subcommands();
  if (parsed.empty() || !kRunCommands.count(parsed.front()->get_name()) || ctx_.notified()) {
    return exit_code;
  }
  try {
    const Settings& s = ctx_.settings();
    ops::NotifyConfig config = ops::notify_config(s);
    if (!config.enabled()) return exit_code;
    set_log_observer(nullptr);  // the notification's own warnings are not part of the run
    ops::RunOutcome outcome = ctx_.outcome_snapshot();
    outcome.command = command_;
    outcome.exit_code = exit_code;
    outcome.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    outcome.database = s.db_path;
    outcome.host = host_name();
    ops::send_notifications(config, outcome);
  } catch (const std::exception& e) {
    // Settings that failed to load already failed the command; nothing more to send.
    log_debug(std::string("no notification: ") + e.what());
  }
  return exit_code;
}

}  // namespace baliza::cli
