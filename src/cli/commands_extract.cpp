// Commands of the extraction side: plan, extract, retry-failed, recovery-status, verify.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/context.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "plan/plan_store.h"
#include "plan/task_planner.h"
#include "plan/window.h"

namespace baliza::cli {
namespace {

// --mes / --dia / --range / --latest: exactly one of them.
struct PeriodOptions {
  std::string mes, dia, range;
  bool latest = false;
  std::vector<std::string> endpoints;

  void add_to(CLI::App* cmd) {
    auto* m = cmd->add_option("--mes", mes, "A month, e.g. 2024-01");
    auto* d = cmd->add_option("--dia", dia, "A day, e.g. 2024-01-15");
    auto* r = cmd->add_option("--range", range, "Inclusive dates, e.g. 2024-01-01:2024-03-31");
    auto* l = cmd->add_flag("--latest", latest, "The last complete month");
    m->excludes(d, r, l);
    d->excludes(r, l);
    r->excludes(l);
    cmd->add_option("--endpoint", endpoints, "Only these endpoints (repeatable)");
  }

  plan::DateRange resolve() const {
    if (!mes.empty()) return plan::parse_month(mes);
    if (!dia.empty()) return plan::parse_day(dia);
    if (!range.empty()) return plan::parse_range(range);
    if (latest) return plan::latest_complete_month(plan::today_local());
    throw usage_error("say which period: --mes 2024-01, --dia 2024-01-15, "
                      "--range 2024-01-01:2024-03-31 or --latest");
  }
};

void run_plan(Context& ctx, const PeriodOptions& period, bool dry_run) {
  const plan::DateRange range = period.resolve();
  const plan::EndpointsConfig config = plan::load_project_endpoints(ctx.settings().project_dir);
  const plan::Plan p =
      plan::plan_tasks(config, plan::PlanRequest{range, period.endpoints, plan::today_local()});
  const plan::PlanApplyResult result = plan::apply_plan(
      ctx.db(), config, p, plan::PlanScope{range, period.endpoints}, dry_run, random_id());
  std::fputs(("period " + plan::iso_date(range.first) + ":" + plan::iso_date(range.last) + "\n" +
              plan::describe_plan_result(result))
                 .c_str(),
             stdout);
}

}  // namespace

void add_extract_commands(CLI::App& app, Context& ctx, int& exit_code) {
  auto period = std::make_shared<PeriodOptions>();
  auto dry_run = std::make_shared<bool>(false);
  CLI::App* plan_cmd =
      app.add_subcommand("plan", "Write the task plan of a period (endpoints x windows x fan-out)");
  period->add_to(plan_cmd);
  plan_cmd->add_flag("--dry-run", *dry_run, "Print the diff and counts without writing");
  plan_cmd->callback([&ctx, &exit_code, period, dry_run] {
    run_plan(ctx, *period, *dry_run);
    exit_code = 0;
  });
}

}  // namespace baliza::cli
