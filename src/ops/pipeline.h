// The whole pipeline for a period: plan -> extract -> transform (seeds, models, data tests,
// record accounting) -> a report per endpoint and per stage. `baliza run` and `baliza demo`
// are thin commands over run_pipeline().
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/database.h"
#include "extract/extractor.h"
#include "lineage/openlineage_client.h"
#include "lineage/row_capture.h"
#include "lineage/run_accounting.h"
#include "plan/window.h"
#include "transform/project.h"
#include "transform/project_build.h"
#include "transform/runner.h"

namespace baliza::ops {

struct PipelineOptions {
  plan::DateRange range;
  std::vector<std::string> endpoints;  // empty = every enabled endpoint
  std::filesystem::path project_dir;   // where a user's endpoints.yaml may override the built-in
  std::string base_url;                // replaces the endpoints' base_url when not empty
  int concurrency = 0;
  double requests_per_second = 0;  // per host; 0 = endpoints.yaml defaults.rate_limit
  int threads = 4;                 // transform workers
  RawStoreOptions raw;
  std::shared_ptr<Database> database;
  Connection* main = nullptr;
  const transform::Project* project = nullptr;
  std::filesystem::path target;  // artifacts folder
  std::string command_line;
  const std::atomic<int>* interrupts = nullptr;
  bool progress = false, progress_tty = false;
  std::function<void(const std::string&)> say;
  // OpenLineage: events of this run go there when enabled (a parent run for the command, one
  // run per endpoint extracted and per model built); db_path names the DuckDB datasets.
  lineage::EventClient* events = nullptr;
  std::string db_path;
  std::string command = "run";
  // When set, extraction goes through this coordinator (ops/coordinated_extract.h).
  std::string coordinator_url;
};

struct PipelineReport {
  double plan_seconds = 0, extract_seconds = 0, transform_seconds = 0;
  std::int64_t tasks_planned = 0;
  extract::ExtractResult extract;
  transform::RunSummary transform;
  bool transformed = false;           // false when extraction was interrupted
  lineage::RunAccounting accounting;  // the record ledger of every model built
  lineage::RunCapture capture;        // reverse-join capture of the models that opted in
  std::map<std::string, std::int64_t> quarantine;  // quarantine table -> rows
  // 130 interrupted, 1 a task, model, test or the accounting failed, else 0.
  int exit_code() const;
};

PipelineReport run_pipeline(const PipelineOptions& options);

// The transform build of a pipeline: its database and connection, artifacts folder, command
// line, threads, and `say` as the printer; the caller adds what to select. Used by the final
// build and by the SQL rounds' builds of what their queries read (ops/sql_rounds.h).
transform::ProjectBuildOptions pipeline_build_options(const PipelineOptions& options);

// The summary a user reads at the end: per endpoint, per stage, accounting, quarantine.
std::string describe_pipeline(const PipelineReport& report);

}  // namespace baliza::ops
