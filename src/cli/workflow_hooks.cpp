#include "cli/workflow_hooks.h"

namespace baliza::cli {

std::string before_workflow_clear(Context&, const Settings&, Connection&, const ops::Workflow&,
                                  const ops::Step&) {
  return "";  // no checkpoint facility on this build yet (ops/checkpoint.h)
}

void after_workflow(Context&, const Settings&, const ops::WorkflowReport&) {}

}  // namespace baliza::cli
