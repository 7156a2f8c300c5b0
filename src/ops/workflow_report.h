// What a workflow run did, step by step (status, seconds, rows, warnings), and its two
// renderings: the timed text table printed at the end of `baliza workflow run` and the JSON
// of `--format json` (the same fields; also what meta.workflow_runs/steps keep).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace baliza::ops {

struct StepReport {
  int position = 0;  // 1-based
  std::string name;
  std::string kind;                     // clear, seed, build, validate, run
  std::string status;                   // ok, warn, error, interrupted, skipped (dry-run: planned)
  std::string started_at, finished_at;  // UTC; empty when skipped
  double seconds = 0;
  std::int64_t rows = 0;  // rows loaded/built/exported, relations dropped, rows counted
  int warnings = 0;
  std::string message;             // one line: what happened or why it failed / was skipped
  std::vector<std::string> notes;  // one line per warning or info (checks, tests)
  nlohmann::json detail = nlohmann::json::object();
};

struct WorkflowReport {
  std::string run_id;
  std::string workflow;
  std::string project;
  std::string status = "ok";  // ok, warn, error, interrupted
  bool quick = false;
  bool dry_run = false;
  std::string started_at, finished_at;
  double seconds = 0;
  std::vector<StepReport> steps;
  int warnings() const;
  // 0 ok or warn, 1 a step failed, 130 interrupted.
  int exit_code() const { return status == "error" ? 1 : status == "interrupted" ? 130 : 0; }
};

std::string report_text(const WorkflowReport& report);
nlohmann::json report_json(const WorkflowReport& report);

}  // namespace baliza::ops
