#include "ops/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <set>

#include "core/clock.h"
#include "lineage/built_lineage.h"
#include "lineage/openlineage_models.h"
#include "ops/coordinated_extract.h"
#include "ops/openlineage_setup.h"
#include "ops/sql_rounds.h"
#include "ops/volume_probe.h"
#include "plan/plan_store.h"
#include "plan/recheck.h"
#include "plan/request_summary.h"
#include "plan/sql_requests.h"
#include "plan/task_planner.h"
#include "plan/volume_history.h"
#include "plan/volume_windows.h"
#include "transform/project_build.h"

namespace baliza::ops {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::map<std::string, std::int64_t> read_quarantine(Connection& conn) {
  std::map<std::string, std::int64_t> out;
  Result tables = conn.query(
      "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'quarantine' ORDER BY 1");
  for (size_t i = 0; i < tables.row_count(); ++i) {
    std::string name = tables.get_string(0, i);
    out[name] = std::stoll(
        conn.scalar("SELECT count(*) FROM quarantine." + quote_identifier(name)).value_or("0"));
  }
  return out;
}

std::string format(const char* pattern, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, pattern, args...);
  return buf;
}

}  // namespace

int PipelineReport::exit_code() const {
  if (extract.interrupted || transform.interrupted) return 130;
  if (extract.exit_code() != 0 || transform.exit_code() != 0) return 1;
  return accounting.exit_code();
}

namespace {

PipelineReport run_stages(const PipelineOptions& o, CommandRun* command);

}  // namespace

transform::ProjectBuildOptions pipeline_build_options(const PipelineOptions& o) {
  transform::ProjectBuildOptions build;
  build.database = o.database;
  build.main = o.main;
  build.target = o.target;
  build.command_line = o.command_line;
  build.threads = o.threads;
  build.print = o.say;
  return build;
}

PipelineReport run_pipeline(const PipelineOptions& o) {
  if (o.events == nullptr || !o.events->enabled()) return run_stages(o, nullptr);
  CommandRun command(*o.events, o.project->name(), o.command);
  command.begin();
  try {
    PipelineReport report = run_stages(o, &command);
    command.end(report.exit_code());
    return report;
  } catch (const std::exception& e) {
    command.end(1, e.what());
    throw;
  }
}

namespace {

PipelineReport run_stages(const PipelineOptions& o, CommandRun* command) {
  PipelineReport report;
  Connection& db = *o.main;

  auto start = Clock::now();
  o.say("== plan " + plan::iso_date(o.range.first) + " .. " + plan::iso_date(o.range.last));
  plan::EndpointsConfig config = plan::load_project_endpoints(o.project_dir);
  if (o.requests_per_second > 0) {
    config.defaults.rate_limit.requests_per_second = o.requests_per_second;
    config.defaults.rate_limit.burst = std::max(1, static_cast<int>(o.requests_per_second / 4));
    config.defaults.rate_limit.floor = 0;  // --rate fixes the rate
    config.defaults.rate_limit.ceiling = 0;
  }
  const plan::PlanRequest plan_request{o.range, o.endpoints, plan::today_local()};
  plan::VolumeHistory history = plan::read_volume_history(db, config, o.range);
  // Windows without history are probed once (page 1 over the month's run) instead of being
  // planned day by day (ops/volume_probe.h).
  const VolumeProbeResult probed = probe_volumes(config, plan_request, history, o.base_url);
  if (probed.probes > 0) o.say(describe_volume_probe(probed));
  const plan::VolumePlan volume = plan::plan_by_volume(config, plan_request, history);
  const plan::Plan& p = volume.plan;
  {
    plan::RequestSummary requests =
        plan::summarize_requests(config, volume, config.defaults.rate_limit.requests_per_second);
    plan::add_sql_endpoint_requests(requests, &db, config, o.range, o.endpoints);
    o.say(plan::describe_requests(requests));
  }
  const plan::PlanApplyResult planned =
      plan::apply_plan(db, config, p, plan::PlanScope{o.range, o.endpoints}, false, random_id());
  report.tasks_planned = static_cast<std::int64_t>(p.tasks.size());
  if (planned.added + planned.removed + planned.restored > 0) {
    o.say(plan::describe_plan_result(planned));
  }
  const std::int64_t rechecked =
      plan::requeue_recent(db, plan::PlanScope{o.range, o.endpoints}, plan::today_local(),
                           config.defaults.recheck_days, random_id());
  if (rechecked > 0) {
    o.say(std::to_string(rechecked) + " done task(s) within " +
          std::to_string(config.defaults.recheck_days) +
          " days of today (recheck_days) are re-checked: their totals read again");
  }
  report.plan_seconds = seconds_since(start);

  start = Clock::now();
  o.say("== extract");
  extract::ExtractOptions ex;
  ex.scope.first_date = plan::iso_date(o.range.first);
  ex.scope.last_date = plan::iso_date(o.range.last);
  ex.scope.endpoints = o.endpoints;
  ex.base_url = o.base_url;
  ex.concurrency = o.concurrency;
  ex.command = "run";
  ex.raw = o.raw;
  ex.interrupts = o.interrupts;
  ex.progress = o.progress;
  ex.progress_tty = o.progress_tty;
  std::optional<ExtractionEvents> extraction_events;
  if (command) {
    extraction_events.emplace(*o.events, command->ref(), o.project->name(),
                              duckdb_raw_datasets(o.db_path), config, o.base_url);
    extraction_events->attach(ex);
  }
  try {
    report.extract = o.coordinator_url.empty()
                         ? extract::run_extract(db, config, ex)
                         : extract_through_coordinator(db, o.coordinator_url, config, ex, o.range,
                                                       o.endpoints, o.say);
  } catch (const std::exception& e) {
    if (extraction_events) extraction_events->fail_open(e.what());
    throw;
  }
  if (extraction_events) extraction_events->finish(report.extract);
  if (!report.extract.interrupted) {  // items and results: planned from what is staged now
    SqlRoundsResult rounds;
    try {
      rounds = run_sql_rounds(o, config, ex, report.extract);
    } catch (const std::exception& e) {
      if (extraction_events) extraction_events->fail_open(e.what());
      throw;
    }
    // The rounds' endpoints were started by the hook `ex` carries: end their runs too.
    if (extraction_events) extraction_events->finish(report.extract);
    if (rounds.build_failed) {
      report.extract_seconds = seconds_since(start);
      report.transform = std::move(rounds.failed_build);
      report.transformed = true;
      return report;
    }
  }
  report.extract_seconds = seconds_since(start);
  if (report.extract.interrupted) return report;

  start = Clock::now();
  o.say("== transform");
  transform::ProjectBuildOptions build = pipeline_build_options(o);
  std::unique_ptr<lineage::ModelEvents> model_events;
  const transform::Dag* built_dag = nullptr;
  std::optional<lineage::ProjectLineage> columns;
  build.observe = [&](const transform::Dag& dag, const std::vector<std::size_t>& nodes,
                      transform::RunOptions& run) {
    built_dag = &dag;
    run.interrupts = o.interrupts;  // Ctrl-C stops the transform too (exit 130)
    if (!command) return;
    model_events = std::make_unique<lineage::ModelEvents>(
        *o.events, *o.project, dag, nodes, o.db_path, command->ref(),
        [db = o.database] { return std::make_unique<Connection>(db); });
    model_events->attach(run);
  };
  build.observed = [&](const transform::RunSummary& summary) {
    lineage::ProjectLineage known;
    if (model_events) {
      model_events->close();
      known = model_events->take_lineage();  // analysed once, for the events
    }
    model_events.reset();  // it points to the build's Dag
    // Column lineage of what was built: lineage.columns, then the manifest (below).
    columns = lineage::built_lineage(*o.project, *built_dag, summary, db, std::move(known));
    columns->store(db);
  };
  report.transform = transform::build_project(*o.project, build);
  if (columns) lineage::annotate_manifest_file(o.target / "manifest.json", *columns);
  report.transformed = true;
  report.transform_seconds = seconds_since(start);
  transform::Dag dag = transform::Dag::build(*o.project);
  report.accounting = lineage::account_run(db, *o.project, dag, report.transform);
  lineage::record_accounting(db, report.accounting);
  report.capture = lineage::capture_run(db, *o.project, dag, report.transform);
  report.quarantine = read_quarantine(db);
  return report;
}

}  // namespace

std::string describe_pipeline(const PipelineReport& r) {
  std::string out = "\n";
  out += extract::describe_extract_result(r.extract);
  if (r.transformed) {
    out += '\n';
    out += lineage::describe_accounting(r.accounting);
    out += r.capture.describe();
    out += format("models and tests: PASS=%d WARN=%d ERROR=%d SKIP=%d\n", r.transform.pass,
                  r.transform.warn, r.transform.error, r.transform.skip);
  }
  out += format("time: plan %.1fs, extract %.1fs, transform %.1fs\n", r.plan_seconds,
                r.extract_seconds, r.transform_seconds);
  return out;
}

}  // namespace baliza::ops
