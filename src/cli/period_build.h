// `--periods FIRST..LAST [--step year|month|day] [--restart] [--dry-run]` for `baliza build`
// (and transform, `baliza dbt build|run`): the selection runs once per period, in order, with
// the period's vars (ops/periods.h), each period a whole `build` of its own (artifacts, run log,
// accounting). A failing period stops the run (exit 1) and is recorded; running the same
// command again resumes at the first period not completed (--restart runs them all again).
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/transform_actions.h"
#include "transform/node_config.h"

namespace CLI {
class App;
}

namespace baliza::cli {

struct PeriodRunOptions {
  std::string periods;
  std::string step;
  bool restart = false;
  bool dry_run = false;
  void add_to(CLI::App* cmd);
  bool given() const { return !periods.empty(); }
};

int run_period_build(Context& ctx, const TransformOptions& o, const PeriodRunOptions& p,
                     const std::string& command, const std::vector<transform::ResourceType>& types);

}  // namespace baliza::cli
