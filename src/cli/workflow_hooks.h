// What a workflow does around its steps that belongs to other features: a checkpoint of the
// database before a clear step drops anything (so `baliza rollback` can restore it), and a
// notification when the workflow ends. Each is called by `baliza workflow run` only.
#pragma once

#include <string>

#include "cli/context.h"
#include "ops/workflow_report.h"
#include "ops/workflow_spec.h"

namespace baliza::cli {

// Before `step` (a clear) drops relations; returns a line for the report, or "".
std::string before_workflow_clear(Context& ctx, const Settings& settings, Connection& conn,
                                  const ops::Workflow& workflow, const ops::Step& step);

// When a workflow run has ended (its report complete).
void after_workflow(Context& ctx, const Settings& settings, const ops::WorkflowReport& report);

}  // namespace baliza::cli
