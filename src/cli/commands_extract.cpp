// Commands of the extraction side: plan, extract, retry-failed, recovery-status, verify.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "cli/command_events.h"
#include "cli/concurrency_option.h"
#include "cli/context.h"
#include "cli/extract_outcome.h"
#include "cli/interrupts.h"
#include "cli/period_options.h"
#include "coord/plan_publish.h"
#include "coord/requeue.h"
#include "coord/worker.h"
#include "coord/workers_status.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "extract/extractor.h"
#include "ops/coordinated_extract.h"
#include "ops/dataset_run.h"
#include "ops/openlineage_setup.h"
#include "ops/recovery.h"
#include "plan/plan_store.h"
#include "plan/recheck.h"
#include "plan/request_summary.h"
#include "plan/sql_planner.h"
#include "plan/sql_requests.h"
#include "plan/task_planner.h"
#include "plan/volume_windows.h"
#include "plan/window.h"

namespace baliza::cli {
namespace {

void run_plan(Context& ctx, const PeriodOptions& period, bool dry_run) {
  const plan::DateRange range = period.resolve();
  const plan::EndpointsConfig config = plan::load_project_endpoints(ctx.settings().project_dir);
  const plan::VolumePlan volume = plan::plan_from_history(
      ctx.db(), config, plan::PlanRequest{range, period.endpoints, plan::today_local()});
  const plan::Plan& p = volume.plan;
  const plan::PlanApplyResult result = plan::apply_plan(
      ctx.db(), config, p, plan::PlanScope{range, period.endpoints}, dry_run, random_id());
  std::fputs(("period " + plan::iso_date(range.first) + ":" + plan::iso_date(range.last) + "\n" +
              plan::describe_plan_result(result))
                 .c_str(),
             stdout);
  {
    plan::RequestSummary requests = plan::summarize_requests(config, volume);
    plan::add_sql_endpoint_requests(requests, &ctx.db(), config, range, period.endpoints);
    std::fputs(plan::describe_requests(requests).c_str(), stdout);
  }
  // Endpoints planned from what is staged (items, results): skipped with the reason until
  // their parents are staged (`baliza transform`).
  std::vector<std::string> sql_endpoints;
  for (const auto& name : plan::sql_planned_endpoints(config)) {
    if (period.endpoints.empty() ||
        std::find(period.endpoints.begin(), period.endpoints.end(), name) != period.endpoints.end())
      sql_endpoints.push_back(name);
  }
  if (!sql_endpoints.empty()) {
    const plan::SqlPlanResult from_sql = plan::plan_from_sql(
        ctx.db(), config, plan::SqlPlanRequest{range, sql_endpoints}, dry_run, random_id());
    std::fputs(plan::describe_sql_plan(from_sql).c_str(), stdout);
  }
  if (!dry_run && !ctx.settings().coordinator_url.empty()) {
    auto pg = coord::connect_coordinator(ctx.settings().coordinator_url);
    const coord::PublishResult published =
        coord::publish_plan(ctx.db(), *pg, range, period.endpoints);
    std::printf("published to the coordinator %s: %lld task(s), %lld new or changed\n",
                coord::redact_url(ctx.settings().coordinator_url).c_str(),
                static_cast<long long>(published.tasks), static_cast<long long>(published.changed));
  }
}

struct ExtractFlags {
  int concurrency = 0;
  std::string base_url;
  bool no_plan = false;
};

// Plans the period quietly (printing the diff only when something changed) and extracts it.
int run_extract_command(Context& ctx, const PeriodOptions& period, const ExtractFlags& flags,
                        const std::string& command, const std::vector<std::string>& task_ids = {},
                        int max_attempts = 0) {
  const plan::DateRange range = period.resolve();
  const plan::EndpointsConfig config = plan::load_project_endpoints(ctx.settings().project_dir);
  Connection& db = ctx.db();
  if (!flags.no_plan) {
    const plan::Plan p =
        plan::plan_from_history(db, config,
                                plan::PlanRequest{range, period.endpoints, plan::today_local()})
            .plan;
    const plan::PlanApplyResult planned = plan::apply_plan(
        db, config, p, plan::PlanScope{range, period.endpoints}, false, random_id());
    if (planned.added + planned.removed + planned.restored > 0) {
      ctx.say(plan::describe_plan_result(planned));
    }
    const std::int64_t rechecked =
        plan::requeue_recent(db, plan::PlanScope{range, period.endpoints}, plan::today_local(),
                             config.defaults.recheck_days, random_id());
    if (rechecked > 0) {
      ctx.say(std::to_string(rechecked) + " done task(s) within " +
              std::to_string(config.defaults.recheck_days) +
              " days of today (recheck_days) are re-checked: their totals read again");
    }
  }
  extract::ExtractOptions options;
  options.scope.first_date = plan::iso_date(range.first);
  options.scope.last_date = plan::iso_date(range.last);
  options.scope.endpoints = period.endpoints;
  options.scope.task_ids = task_ids;
  options.base_url = flags.base_url;
  // --concurrency, else baliza.yml extract.concurrency (and its overrides), else endpoints.yaml.
  options.concurrency =
      flags.concurrency > 0 ? flags.concurrency : ctx.settings().extract_concurrency;
  options.max_attempts = max_attempts;
  options.command = command;
  options.raw.zstd_level = ctx.settings().zstd_level;
  options.raw.max_payload_bytes = ctx.settings().max_payload_bytes;
  options.interrupts = &interrupt_count();
  options.progress = !ctx.options().quiet && log_level() <= LogLevel::kInfo;
  options.progress_tty = isatty(STDERR_FILENO) != 0 && log_format() == LogFormat::kText;
  InterruptGuard guard;
  const std::string& coordinator = ctx.settings().coordinator_url;
  // OpenLineage: the command's run, and one run per endpoint it extracts.
  ops::CommandEvents events(ctx.settings(), events_project_name(), command);
  ops::ExtractionEvents endpoint_events(events.client(), events.parent(), events.project(),
                                        ops::duckdb_raw_datasets(ctx.settings().db_path), config,
                                        flags.base_url);
  endpoint_events.attach(options);
  extract::ExtractResult result;
  try {
    result = coordinator.empty() ? extract::run_extract(db, config, options)
                                 : ops::extract_through_coordinator(
                                       db, coordinator, config, options, range, period.endpoints,
                                       [&ctx](const std::string& line) { ctx.say(line); });
  } catch (const Error& e) {
    endpoint_events.fail_open(e.what());
    finish_events_on_error(ctx, events, e);
    throw;
  }
  endpoint_events.finish(result);
  note_extract_outcome(ctx, db, result, range, period.endpoints);
  const std::string events_line = events.finish(result.exit_code());
  const extract::EndpointTotals total = result.total();
  if (total.tasks_done + total.tasks_failed + total.tasks_partial + total.tasks_released == 0) {
    ctx.say(
        "nothing to extract: every planned task of this period is done (see baliza "
        "recovery-status, or plan the period first)");
  }
  std::fputs(extract::describe_extract_result(result).c_str(), stdout);
  if (!events_line.empty()) std::printf("%s\n", events_line.c_str());
  std::fflush(stdout);
  return result.exit_code();
}

int run_retry_failed(Context& ctx, const std::string& month, int max_retries,
                     const PeriodOptions& filters, const ExtractFlags& flags) {
  const plan::DateRange range = plan::parse_month(month);
  std::vector<std::string> ids =
      ops::requeue_failed(ctx.db(), range, filters.endpoints, random_id());
  if (!ctx.settings().coordinator_url.empty()) {
    // The coordinator holds the extraction state: requeue there, for every worker.
    auto pg = coord::connect_coordinator(ctx.settings().coordinator_url);
    ids = coord::requeue_failed(*pg, range, filters.endpoints);
    std::fputs(coord::describe_workers(coord::list_workers(*pg)).c_str(), stdout);
  }
  if (ids.empty()) {
    ctx.say("no failed or partial tasks in " + month + "; see baliza recovery-status " + month);
    return 0;
  }
  ctx.say("re-queued " + std::to_string(ids.size()) + " failed or partial task(s) of " + month);
  PeriodOptions period = filters;
  period.mes = month;
  ExtractFlags no_plan = flags;
  no_plan.no_plan = true;
  return run_extract_command(ctx, period, no_plan, "retry-failed", ids, max_retries + 1);
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

  auto extract_period = std::make_shared<PeriodOptions>();
  auto flags = std::make_shared<ExtractFlags>();
  CLI::App* extract_cmd = app.add_subcommand(
      "extract", "Plan a period if needed and fetch its pages into the raw store");
  extract_period->add_to(extract_cmd);
  add_concurrency_option(extract_cmd, flags->concurrency);
  extract_cmd->add_option("--base-url", flags->base_url,
                          "API base URL (default: endpoints.yaml base_url)");
  extract_cmd->add_flag("--no-plan", flags->no_plan,
                        "Extract the tasks already planned; do not plan the period first");
  extract_cmd->callback([&ctx, &exit_code, extract_period, flags] {
    exit_code = run_extract_command(ctx, *extract_period, *flags, "extract");
  });

  auto retry_month = std::make_shared<std::string>();
  auto max_retries = std::make_shared<int>(3);
  auto retry_filters = std::make_shared<PeriodOptions>();
  auto retry_flags = std::make_shared<ExtractFlags>();
  CLI::App* retry_cmd = app.add_subcommand(
      "retry-failed", "Re-queue the failed and partial tasks of a month and extract them again");
  retry_cmd->add_option("month", *retry_month, "The month, e.g. 2024-01")->required();
  retry_cmd->add_option("--max-retries", *max_retries, "Retries per page after its first attempt")
      ->check(CLI::Range(0, 50));
  retry_cmd->add_option("--endpoint", retry_filters->endpoints, "Only these endpoints");
  add_concurrency_option(retry_cmd, retry_flags->concurrency);
  retry_cmd->add_option("--base-url", retry_flags->base_url, "API base URL");
  retry_cmd->callback([&ctx, &exit_code, retry_month, max_retries, retry_filters, retry_flags] {
    exit_code = run_retry_failed(ctx, *retry_month, *max_retries, *retry_filters, *retry_flags);
  });

  auto status_month = std::make_shared<std::string>();
  CLI::App* status_cmd = app.add_subcommand(
      "recovery-status", "What is left of a month's extraction, per endpoint, and what to do");
  status_cmd->add_option("month", *status_month, "The month, e.g. 2024-01")->required();
  status_cmd->callback([&ctx, &exit_code, status_month] {
    const auto rows =
        ops::recovery_status(ctx.reader(), plan::parse_month(*status_month), *status_month);
    std::fputs(ops::describe_recovery(rows).c_str(), stdout);
    if (!ctx.settings().coordinator_url.empty()) {
      auto pg = coord::connect_coordinator(ctx.settings().coordinator_url);
      std::fputs(("\nworkers of the coordinator (local statuses are as of the last baliza "
                  "pull):\n" +
                  coord::describe_workers(coord::list_workers(*pg)))
                     .c_str(),
                 stdout);
    }
    exit_code = 0;
    for (const auto& r : rows) {
      if (r.next_step != "complete") exit_code = 1;
    }
  });

  auto verify_range = std::make_shared<std::string>();
  auto verify_options = std::make_shared<ops::VerifyOptions>();
  CLI::App* verify_cmd = app.add_subcommand(
      "verify", "Refetch stored pages and compare their SHA-256 with what the API serves now");
  verify_cmd->add_option("--range", *verify_range,
                         "Tasks of these dates, e.g. 2024-01-01:2024-01-31");
  verify_cmd->add_option("--sample", verify_options->sample, "Fraction of the pages, e.g. 0.1")
      ->check(CLI::Range(0.000001, 1.0));
  verify_cmd->add_option("--seed", verify_options->seed, "Which sample (default 0)");
  verify_cmd->add_option("--endpoint", verify_options->endpoints, "Only these endpoints");
  verify_cmd->add_option("--base-url", verify_options->base_url, "API base URL");
  add_concurrency_option(verify_cmd, verify_options->concurrency);
  verify_cmd->callback([&ctx, &exit_code, verify_range, verify_options] {
    ops::VerifyOptions o = *verify_options;
    if (!verify_range->empty()) o.range = plan::parse_range(*verify_range);
    if (!o.range && o.sample >= 1.0) {
      throw usage_error("say which pages: --range 2024-01-01:2024-01-31 and/or --sample 0.1");
    }
    o.raw.zstd_level = ctx.settings().zstd_level;
    o.raw.max_payload_bytes = ctx.settings().max_payload_bytes;
    if (o.concurrency <= 0) o.concurrency = ctx.settings().extract_concurrency;
    const plan::EndpointsConfig config = plan::load_project_endpoints(ctx.settings().project_dir);
    // Ctrl-C / SIGTERM: the pages on the wire finish, those checked are stored, exit 130 and
    // the runs end ABORT.
    o.interrupts = &interrupt_count();
    InterruptGuard guard;
    // OpenLineage: the command's run and one run for the pages checked (ops/dataset_run.h).
    ops::CommandEvents events(ctx.settings(), events_project_name(), "verify");
    ops::VerifyDatasets datasets = ops::verify_datasets(ctx.settings().db_path, config, o);
    ops::DatasetRun pages(events.client(), events.parent(), events.project() + ".verify.pages",
                          "VERIFICATION", datasets.inputs, datasets.outputs);
    pages.start();
    ops::VerifyResult result;
    try {
      result = ops::verify_pages(ctx.db(), config, o);
    } catch (const Error& e) {
      pages.end(static_cast<int>(e.code()), {}, e.what());
      finish_events_on_error(ctx, events, e);
      throw;
    }
    pages.end(result.exit_code(), ops::verify_rows(result), ops::verify_failure(result));
    const std::string events_line = events.finish(result.exit_code(), ops::verify_failure(result));
    std::fputs(ops::describe_verify(result).c_str(), stdout);
    if (!events_line.empty()) std::printf("%s\n", events_line.c_str());
    exit_code = result.exit_code();
  });
}

}  // namespace baliza::cli
