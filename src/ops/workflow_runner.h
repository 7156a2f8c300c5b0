// Runs a workflow's steps in order on one open database and reports each one (workflow_report.h):
//   clear     drops the relations matching its patterns (workflow_clear.h), after `before_clear`
//   seed      loads the selected seeds one at a time in dependency order (seed_order.h)
//   build     runs the selected seeds/models/snapshots/tests like `baliza build`
//   validate  runs its checks (workflow_checks.h): a failed `error` check fails the step,
//             a failed `warn` check is a warning, an `info` check is only reported
//   run       a built-in: export relations to Parquet/CSV (temp file + rename), or SQL
// A failed step stops the workflow after it: the steps left are reported as skipped.
// An interrupt (`interrupts` > 0: Ctrl-C or SIGTERM) stops the running build step's nodes and
// starts no further step: the run ends `interrupted` (exit 130) and is stored so.
//
// --quick (decided here, documented in the README): clear steps and steps marked
// `quick: false` are skipped, seeds whose table already exists are not reloaded, and validate
// runs only its `error` checks. --from STEP skips the steps before STEP; --only STEP runs just
// that one. A dry run touches nothing: it says what each step would do (the relations a clear
// would drop, the seeds in load order, the nodes a build would run, the checks).
//
// Each step is stored in meta.workflow_steps when it ends (workflow_store.h) unless
// `store` is false. Errors that are not a step's own failure (a lock, a template mistake, a
// seed cycle) are thrown: environment (3) or usage (2) errors.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "db/database.h"
#include "ops/workflow_report.h"
#include "ops/workflow_spec.h"
#include "transform/dag.h"
#include "transform/runner.h"

namespace baliza::ops {

struct WorkflowRunOptions {
  bool quick = false;
  bool dry_run = false;
  std::optional<std::size_t> from;  // step index
  std::optional<std::size_t> only;  // step index
  int threads = 4;
  bool store = true;         // write meta.workflow_runs / meta.workflow_steps
  bool record_nodes = true;  // build steps also write meta.run_results (Baliza projects)
  std::string project_label;
  std::string command_line;
  std::filesystem::path project_dir;  // exports are relative to it
  // One more connection to the database (build steps run nodes on several threads).
  std::function<std::unique_ptr<Connection>()> connect;
  std::function<void(const std::string&)> print;
  // Called once before a clear step drops anything; returns a line for the report
  // (e.g. "checkpoint 3 taken") or "". Throwing stops the workflow before the drop.
  std::function<std::string(const Workflow&, const Step&)> before_clear;
  // Observers of each build step's node run (OpenLineage events): before_nodes gets the nodes
  // and their RunOptions before they run, after_nodes the summary when they are done.
  std::function<void(const std::vector<std::size_t>&, transform::RunOptions&)> before_nodes;
  std::function<void(const transform::RunSummary&)> after_nodes;
  // Polled between steps and by build steps' nodes (cli/interrupts.h); null: never.
  const std::atomic<int>* interrupts = nullptr;
};

// `conn` may be null only for a dry run over a database that does not exist yet.
WorkflowReport run_workflow(const transform::Project& project, const transform::Dag& dag,
                            const Workflow& workflow, Connection* conn,
                            const WorkflowRunOptions& options);

// The relations (schema.identifier) the workflow's seed and build steps produce: what
// `workflow status` expects to exist.
std::vector<std::string> produced_relations(const transform::Project& project,
                                            const transform::Dag& dag, const Workflow& workflow);

}  // namespace baliza::ops
