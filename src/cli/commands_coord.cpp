// Commands of the extraction coordinator (PostgreSQL): worker, pull, workers.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>

#include "cli/command_events.h"
#include "cli/concurrency_option.h"
#include "cli/context.h"
#include "cli/interrupts.h"
#include "cli/period_options.h"
#include "coord/pull.h"
#include "coord/worker.h"
#include "coord/workers_status.h"
#include "core/error.h"
#include "core/log.h"
#include "ops/dataset_run.h"
#include "ops/openlineage_setup.h"
#include "plan/endpoint_config.h"
#include "plan/plan_store.h"

namespace baliza::cli {
namespace {

struct WorkerFlags {
  std::string worker_id, base_url;
  int concurrency = 0;
  int claim_batch = 0;
  int patience = 120;
  bool once = false;
};

int run_worker_command(Context& ctx, const PeriodOptions& period, const WorkerFlags& flags) {
  const std::string url = require_coordinator(ctx.settings(), "worker");
  const plan::EndpointsConfig config = plan::load_project_endpoints(ctx.settings().project_dir);
  extract::ExtractOptions options;
  if (period.given()) {
    const plan::DateRange range = period.resolve();
    options.scope.first_date = plan::iso_date(range.first);
    options.scope.last_date = plan::iso_date(range.last);
  }
  options.scope.endpoints = period.endpoints;
  options.base_url = flags.base_url;
  // --concurrency, else baliza.yml extract.concurrency (and its overrides), else endpoints.yaml.
  options.concurrency =
      flags.concurrency > 0 ? flags.concurrency : ctx.settings().extract_concurrency;
  options.command = "worker";
  // Small claims: tasks spread over the workers instead of the first one taking them all.
  options.claim_batch = flags.claim_batch > 0 ? flags.claim_batch : 8;
  options.raw.zstd_level = ctx.settings().zstd_level;
  options.raw.max_payload_bytes = ctx.settings().max_payload_bytes;
  options.interrupts = &interrupt_count();
  options.progress = !ctx.options().quiet && log_level() <= LogLevel::kInfo;
  options.progress_tty = isatty(STDERR_FILENO) != 0 && log_format() == LogFormat::kText;
  coord::WorkerOptions worker;
  worker.url = url;
  worker.worker_id = flags.worker_id;
  worker.patience = std::chrono::seconds(flags.patience);
  worker.once = flags.once;
  InterruptGuard guard;
  // OpenLineage: the worker's run, and one run per endpoint it extracts into the coordinator.
  ops::CommandEvents events(ctx.settings(), events_project_name(), "worker");
  ops::ExtractionEvents endpoint_events(events.client(), events.parent(), events.project(),
                                        ops::postgres_raw_datasets(url), config, flags.base_url);
  endpoint_events.attach(options);
  extract::ExtractResult result;
  try {
    result = coord::run_worker(worker, config, options);
  } catch (const Error& e) {
    endpoint_events.fail_open(e.what());
    finish_events_on_error(ctx, events, e);
    throw;
  }
  endpoint_events.finish(result);
  const std::string events_line = events.finish(result.exit_code());
  std::fputs(extract::describe_extract_result(result).c_str(), stdout);
  if (!events_line.empty()) std::printf("%s\n", events_line.c_str());
  std::fflush(stdout);
  return result.exit_code();
}

}  // namespace

void add_coord_commands(CLI::App& app, Context& ctx, int& exit_code) {
  auto period = std::make_shared<PeriodOptions>();
  auto flags = std::make_shared<WorkerFlags>();
  CLI::App* worker = app.add_subcommand(
      "worker", "Extract tasks of the plan published in the coordinator (PostgreSQL)");
  period->add_to(worker);
  worker->add_option("--worker-id", flags->worker_id, "This worker's id (default host-pid-random)");
  worker->add_option("--base-url", flags->base_url, "API base URL (default: endpoints.yaml)");
  add_concurrency_option(worker, flags->concurrency);
  worker->add_option("--claim-batch", flags->claim_batch, "Tasks per claim (default 8)")
      ->check(CLI::Range(1, 4096));
  worker
      ->add_option("--patience", flags->patience,
                   "Seconds to wait for a coordinator that went away (default 120)")
      ->check(CLI::Range(1, 86400));
  worker->add_flag("--once", flags->once,
                   "Stop when nothing is pending; do not wait for other workers' claims");
  worker->callback(
      [&ctx, &exit_code, period, flags] { exit_code = run_worker_command(ctx, *period, *flags); });

  CLI::App* pull = app.add_subcommand(
      "pull", "Copy what the workers stored in the coordinator into the local DuckDB file");
  pull->callback([&ctx, &exit_code] {
    const std::string url = require_coordinator(ctx.settings(), "pull");
    // Ctrl-C / SIGTERM: stop between chunks (what was copied stays, the rest on the next pull),
    // exit 130 and the runs end ABORT.
    InterruptGuard guard;
    // OpenLineage: the command's run and one run for what it copies (ops/dataset_run.h).
    ops::CommandEvents events(ctx.settings(), events_project_name(), "pull");
    ops::PullDatasets datasets = ops::pull_datasets(ctx.settings().db_path, url);
    ops::DatasetRun copy(events.client(), events.parent(), events.project() + ".pull.coordinator",
                         "COPY", datasets.inputs, datasets.outputs);
    copy.start();
    coord::PullResult r;
    try {
      auto pg = coord::connect_coordinator(url);
      r = coord::pull_from_coordinator(ctx.db(), *pg, &interrupt_count());
    } catch (const Error& e) {
      copy.end(static_cast<int>(e.code()), {}, e.what());
      finish_events_on_error(ctx, events, e);
      throw;
    }
    const int code = r.interrupted ? 130 : 0;
    std::string why = r.interrupted ? coord::describe_pull(r) : "";  // "interrupted: ..."
    while (!why.empty() && why.back() == '\n') why.pop_back();
    copy.end(code, ops::pull_rows(r), why);
    const std::string events_line = events.finish(code, why);
    std::fputs(coord::describe_pull(r).c_str(), stdout);
    if (!events_line.empty()) std::printf("%s\n", events_line.c_str());
    exit_code = code;
  });

  CLI::App* workers = app.add_subcommand(
      "workers", "The coordinator's workers: id, host, last seen, pages, rate, claims");
  workers->callback([&ctx, &exit_code] {
    const std::string url = require_coordinator(ctx.settings(), "workers");
    auto pg = coord::connect_coordinator(url);
    std::fputs(coord::describe_workers(coord::list_workers(*pg)).c_str(), stdout);
    exit_code = 0;
  });
}

std::string require_coordinator(const Settings& settings, const std::string& command) {
  if (settings.coordinator_url.empty()) {
    throw usage_error("baliza " + command +
                      " needs a coordinator: set `coordinator: postgresql://user@host:5432/db` "
                      "in baliza.yml or BALIZA_COORDINATOR_URL");
  }
  return settings.coordinator_url;
}

}  // namespace baliza::cli
