// Commands that drive the whole pipeline: run, demo, export.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/concurrency_option.h"
#include "cli/context.h"
#include "cli/extract_outcome.h"
#include "cli/interrupts.h"
#include "cli/period_options.h"
#include "cli/project_locator.h"
#include "cli/result_format.h"
#include "core/error.h"
#include "core/log.h"
#include "ops/dry_run.h"
#include "ops/mart_export.h"
#include "ops/openlineage_setup.h"
#include "ops/pipeline.h"
#include "plan/plan_store.h"
#include "transform/project.h"

#ifdef BALIZA_HAVE_SIM
#include "pncp_sim/simulator.h"
#endif

namespace baliza::cli {
namespace fs = std::filesystem;
namespace {

struct RunFlags {
  PeriodOptions period;
  std::string base_url, project_dir;
  int concurrency = 0, threads = 4;
  double rate = 0;
  bool node_lines = false;  // print every node's START/OK line (dbt style)
};

std::string megabytes(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MB", bytes / 1e6);
  return buf;
}

// The project in `dir` (found by locate_project), else the built-in PNCP one. With a period,
// its incremental models rebuild that period's data (vars periodo_inicio / periodo_fim).
transform::Project pipeline_project(const std::optional<fs::path>& dir,
                                    const plan::DateRange* period = nullptr) {
  transform::LoadOptions load;
  if (period) load.cli_vars = period_vars(*period);
  if (dir && is_dbt_project(*dir)) {
    throw usage_error(dir->string() +
                      " is a dbt project (dbt_project.yml): the extraction pipeline runs "
                      "baliza.yml projects; build it with `baliza dbt build`, or run the PNCP "
                      "pipeline from another folder or with --project-dir");
  }
  if (dir) return transform::load_project(*dir, load);
  return transform::load_project_files(transform::embedded_project_files("pncp"), "embedded:pncp",
                                       load);
}

// `use_coordinator`: extract through the configured coordinator, if any (`run`; the demo
// always extracts locally from its own simulator).
ops::PipelineReport run_period(Context& ctx, const RunFlags& flags, const plan::DateRange& range,
                               const std::string& base_url, const std::string& command_line,
                               bool use_coordinator = false) {
  const std::optional<fs::path> dir = locate_project(flags.project_dir);
  transform::Project project = pipeline_project(dir, &range);
  ctx.say("project: " + (dir ? dir->string() : std::string("the built-in PNCP project")));
  ops::PipelineOptions o;
  o.range = range;
  o.endpoints = flags.period.endpoints;
  o.project_dir = ctx.settings().project_dir;
  o.base_url = base_url;
  // --concurrency, else baliza.yml extract.concurrency (and its overrides), else endpoints.yaml.
  o.concurrency = flags.concurrency > 0 ? flags.concurrency : ctx.settings().extract_concurrency;
  o.requests_per_second = flags.rate;
  o.threads = flags.threads;
  o.raw = {ctx.settings().zstd_level, ctx.settings().max_payload_bytes};
  o.database = ctx.database();
  o.main = &ctx.db();
  o.project = &project;
  o.target = dir ? *dir / "target" : fs::current_path() / "target";
  o.command_line = command_line;
  if (use_coordinator) o.coordinator_url = ctx.settings().coordinator_url;
  o.interrupts = &interrupt_count();
  o.progress = !ctx.options().quiet && log_level() <= LogLevel::kInfo;
  o.progress_tty = isatty(STDERR_FILENO) != 0 && log_format() == LogFormat::kText;
  // A node line per START/OK/PASS is dbt's way; `--progress nodes` keeps it, the default shows
  // only what needs attention (errors, warnings, skips) and the totals.
  bool all_lines = flags.node_lines;
  o.say = [&ctx, all_lines](const std::string& line) {
    bool routine = line.rfind("== ", 0) == 0 || line.find(" START ") != std::string::npos ||
                   line.find(" OK created ") != std::string::npos ||
                   line.find(" OK loaded ") != std::string::npos ||
                   line.find(" PASS ") != std::string::npos;
    if (routine) {
      if (all_lines || line.rfind("== ", 0) == 0) ctx.say(line);
    } else {
      // Errors, warnings, skips and totals need attention: shown even with --quiet.
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  };
  std::unique_ptr<lineage::EventClient> events = ops::make_event_client(ctx.settings());
  o.events = events.get();
  o.db_path = ctx.settings().db_path;
  o.command = command_line.rfind("baliza demo", 0) == 0 ? "demo" : "run";
  InterruptGuard guard;
  ops::PipelineReport report = ops::run_pipeline(o);
  // The notification's summary (cli/run_notifier.h): pages, tasks, throttles, then models.
  note_extract_outcome(ctx, ctx.db(), report.extract, range, flags.period.endpoints);
  if (report.transformed) {
    ctx.count("models ok", report.transform.pass);
    if (report.transform.warn > 0) ctx.count("models warned", report.transform.warn);
    if (report.transform.error > 0) ctx.count("models failed", report.transform.error);
  }
  std::fputs(ops::describe_pipeline(report).c_str(), stdout);
  if (events->enabled()) {
    events->close();
    std::printf("%s\n", events->summary().c_str());
  }
  std::fflush(stdout);
  return report;
}

void run_dry_run(Context& ctx, const RunFlags& flags) {
  plan::DateRange range = flags.period.resolve();
  plan::EndpointsConfig config = plan::load_project_endpoints(ctx.settings().project_dir);
  transform::Project project = pipeline_project(locate_project(flags.project_dir));
  // Read history only from a database that exists: a dry run creates nothing.
  Connection* history = fs::exists(ctx.settings().db_path) ? &ctx.db() : nullptr;
  const std::optional<fs::path> dir = locate_project(flags.project_dir);
  transform::Budgets budgets =
      transform::load_budgets(dir ? std::optional<fs::path>(*dir / "baliza.yml") : std::nullopt);
  ops::DryRun d =
      ops::dry_run(config, range, flags.period.endpoints, history, project, flags.rate, budgets);
  std::printf("period %s .. %s\n%s", plan::iso_date(range.first).c_str(),
              plan::iso_date(range.last).c_str(), ops::describe_dry_run(d).c_str());
}

void run_export(Context& ctx, const std::string& month, const std::string& format,
                const std::string& out) {
  if (format != "parquet") throw usage_error("--format " + format + ": only parquet is supported");
  ops::ExportRequest request;
  request.dir =
      out.empty() ? fs::path(ctx.settings().db_path).parent_path() / "exports" : fs::path(out);
  if (!month.empty()) request.month = month;
  auto marts = ops::export_marts(ctx.db(), request);
  std::printf("%-28s %-20s %10s %6s %12s\n", "mart", "partitioned by", "rows", "files", "size");
  for (const auto& m : marts) {
    std::printf("%-28s %-20s %10zu %6zu %12s\n", m.name.c_str(),
                m.period_column.empty() ? "(whole table)" : m.period_column.c_str(), m.rows,
                m.files, megabytes(m.bytes).c_str());
  }
  std::printf("written under %s\n", request.dir.c_str());
}

#ifdef BALIZA_HAVE_SIM
struct DemoFlags {
  std::string month = "2024-03";
  double scale = 1.0;
  std::uint64_t seed = 42;
  int concurrency = 0;                 // 0: baliza.yml extract.concurrency, else 4
  std::vector<std::string> endpoints;  // empty = every endpoint, items and results included
};

// Questions a user asks of the marts, answered on the demo data.
const std::vector<std::pair<std::string, std::string>>& demo_queries() {
  static const std::vector<std::pair<std::string, std::string>> queries = {
      {"Top 5 orgaos by value contracted in the month",
       "select orgao_razao_social, count(*) as contratacoes, sum(valor_total_estimado) as valor\n"
       "from staging.contratacoes group by 1 order by valor desc limit 5"},
      {"Spending per modalidade",
       "select modalidade_nome, sum(qtd_contratacoes) as contratacoes,\n"
       "       sum(valor_total_estimado) as valor\n"
       "from marts.contratacoes_mensal group by 1 order by valor desc limit 5"},
      {"Record accounting: where each model's input rows went (input = output + filtered + errors)",
       "select model, input_rows, output_rows, filtered_rows, error_rows, status\n"
       "from meta.model_accounting where run_id = (select max_by(run_id, computed_at)\n"
       "  from meta.model_accounting) and status <> 'not_accounted' order by model"},
      {"Records that failed validation, by reason",
       "select failure_type, count(*) as registros from quarantine.contratos group by 1 order by 2 "
       "desc"},
      {"Trace one contract back to the raw page it came from",
       "select numero_controle_pncp, valor_global, payload_sha256, record_position\n"
       "from staging.contratos order by numero_controle_pncp limit 3"},
  };
  return queries;
}

void print_demo_queries(Context& ctx) {
  for (const auto& [title, sql] : demo_queries()) {
    std::printf("\n-- %s\n%s;\n", title.c_str(), sql.c_str());
    try {
      Result r = ctx.db().query_as_text(sql);
      std::string table = format_result(r, ResultFormat::kTable);
      std::fputs(table.c_str(), stdout);
    } catch (const Error& e) {
      std::printf("(query failed: %s)\n", e.what());
    }
  }
}

int run_demo(Context& ctx, const DemoFlags& flags) {
  plan::DateRange range = plan::parse_month(flags.month);
  ctx.use_default_db("data/demo.duckdb");
  pncp_sim::Options sim_options;
  sim_options.seed = flags.seed;
  sim_options.volume.scale = flags.scale;
  // "Today" for the simulator is the day after the month, so every day of it is in the past.
  sim_options.today =
      plan::format_date(plan::Date{std::chrono::sys_days{range.last} + std::chrono::days{1}},
                        plan::DateFormat::kCompact);
  pncp_sim::Simulator sim(sim_options);
  sim.start();
  ctx.say("PNCP simulator on " + sim.base_url() + " (seed " + std::to_string(flags.seed) +
          ", scale " + std::to_string(flags.scale) + "); database " + ctx.settings().db_path);
  RunFlags run;
  run.concurrency = flags.concurrency > 0                    ? flags.concurrency
                    : ctx.settings().extract_concurrency > 0 ? ctx.settings().extract_concurrency
                                                             : 4;
  run.period.endpoints = flags.endpoints;
  run.rate = 1000;  // loopback: the PNCP's politeness limit does not apply to the simulator
  ops::PipelineReport report =
      run_period(ctx, run, range, sim.base_url(), "baliza demo --mes " + flags.month);
  sim.stop();
  if (report.exit_code() == 0) print_demo_queries(ctx);
  std::printf(
      "\nExplore it: baliza --db %s query \"select * from marts.contratacoes_mensal limit 10\"\n",
      ctx.settings().db_path.c_str());
  return report.exit_code();
}
#endif

}  // namespace

void add_pipeline_commands(CLI::App& app, Context& ctx, int& exit_code) {
  auto run = std::make_shared<RunFlags>();
  auto* run_cmd = app.add_subcommand(
      "run", "Plan, extract and transform a period: --mes 2024-01, --latest, ... (live PNCP API)");
  run->period.add_to(run_cmd);
  run_cmd->add_option("--base-url", run->base_url, "API base URL (default: endpoints.yaml)");
  add_concurrency_option(run_cmd, run->concurrency);
  run_cmd->add_option("--rate", run->rate,
                      "Fixed requests per second per host (default: endpoints.yaml's adaptive "
                      "pacing, 0.5/s rising to at most 2/s for the PNCP)");
  run_cmd->add_option("--threads", run->threads, "Models built at once (default 4)");
  run_cmd->add_flag("--node-lines", run->node_lines,
                    "Print a START and an OK line per model and test");
  run_cmd->add_option("--project-dir", run->project_dir,
                      "Project with models (default: the built-in PNCP project)");
  run_cmd->callback([&ctx, &exit_code, run] {
    std::string line = "baliza run";
    exit_code = run_period(ctx, *run, run->period.resolve(), run->base_url, line, true).exit_code();
  });

  auto dry = std::make_shared<RunFlags>();
  auto* dry_cmd = app.add_subcommand(
      "dry-run",
      "What `run` would plan, fetch (estimated pages) and build; fetches and writes nothing");
  dry->period.add_to(dry_cmd);
  dry_cmd->add_option("--project-dir", dry->project_dir, "Project with models");
  dry_cmd->add_option("--rate", dry->rate,
                      "Requests per second per host for the time estimate (default: "
                      "endpoints.yaml)");
  dry_cmd->callback([&ctx, dry] { run_dry_run(ctx, *dry); });

#ifdef BALIZA_HAVE_SIM
  auto demo = std::make_shared<DemoFlags>();
  auto* demo_cmd = app.add_subcommand(
      "demo", "Run the whole pipeline offline against the built-in PNCP simulator (one month)");
  demo_cmd->add_option("--mes", demo->month, "The month to simulate (default 2024-03)");
  demo_cmd->add_option("--scale", demo->scale, "Volume: 1.0 = about 6,000 records a month");
  demo_cmd->add_option("--seed", demo->seed, "Simulator seed (same seed, same data)");
  add_concurrency_option(demo_cmd, demo->concurrency);
  demo_cmd->add_option("--endpoint", demo->endpoints,
                       "Only these endpoints (repeatable; default: all, items and results "
                       "included)");
  demo_cmd->callback([&ctx, &exit_code, demo] { exit_code = run_demo(ctx, *demo); });
#endif

  struct ExportOptions {
    std::string month, format = "parquet", out;
  };
  auto opts = std::make_shared<ExportOptions>();
  auto* exp = app.add_subcommand(
      "export", "Write the marts as Parquet: <dir>/<mart>/year=YYYY/month=MM/*.parquet");
  exp->add_option("--mes", opts->month, "Only this month, e.g. 2024-01 (default: everything)");
  exp->add_option("--format", opts->format, "Output format (parquet)");
  exp->add_option("--out", opts->out, "Folder (default: data/exports beside the database)");
  exp->callback([&ctx, opts] { run_export(ctx, opts->month, opts->format, opts->out); });
}

}  // namespace baliza::cli
