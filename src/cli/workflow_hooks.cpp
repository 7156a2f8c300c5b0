#include "cli/workflow_hooks.h"

#include <unistd.h>

#include <map>

#include "ops/checkpoint.h"
#include "ops/notify.h"

namespace baliza::cli {

std::string before_workflow_clear(Context&, const Settings& settings, Connection& conn,
                                  const ops::Workflow& workflow, const ops::Step& step) {
  auto c = ops::checkpoint_before(conn, ops::checkpoint_policy(settings),
                                  "workflow " + workflow.name + ": " + step.name);
  if (!c) return "";
  std::string id = std::to_string(c->id);
  return "checkpoint " + id + " taken (`baliza rollback --to-checkpoint " + id +
         "` restores what this step drops)";
}

void after_workflow(Context& ctx, const Settings& settings, const ops::WorkflowReport& report) {
  ops::NotifyConfig config = ops::notify_config(settings);
  ctx.mark_notified();  // this summary, with its steps, replaces the CLI's generic one
  if (!config.enabled()) return;
  ops::RunOutcome o = ctx.outcome_snapshot();
  o.command = "workflow run " + report.workflow + (report.quick ? " --quick" : "");
  o.exit_code = report.exit_code();
  o.seconds = report.seconds;
  o.database = settings.db_path;
  o.project = report.project;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) o.host = host;
  std::map<std::string, int64_t> by_status;
  for (const ops::StepReport& step : report.steps) {
    ++by_status["steps " + step.status];
    std::string line = step.name + " (" + step.kind + "): " + step.message;
    if (step.status == "error" || step.status == "interrupted") {
      o.add_error(line);
      // The failing checks and nodes of the step, each on its own line.
      for (const std::string& note : step.notes) {
        if (note.rfind("error", 0) == 0) o.add_error(step.name + ": " + note);
      }
    }
    if (step.status == "warn") {
      o.add_warning(line);
      for (const std::string& note : step.notes) o.add_warning(step.name + ": " + note);
    }
  }
  for (const auto& [what, n] : by_status) o.counts.emplace_back(what, n);
  ops::send_notifications(config, o);
}

}  // namespace baliza::cli
