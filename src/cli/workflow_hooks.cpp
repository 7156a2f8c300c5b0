#include "cli/workflow_hooks.h"

#include "ops/checkpoint.h"

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

void after_workflow(Context&, const Settings&, const ops::WorkflowReport&) {}

}  // namespace baliza::cli
