// `--log-format json`: dbt's structured log lines, one JSON object per line on stdout, as
// runners that drive dbt (Dagster's dbt integration, Airflow operators, ...) parse them:
//
//   {"info": {"name": "NodeFinished", "code": "Q025", "level": "info", "msg": "...",
//             "ts": "2024-01-02T03:04:05.123456Z", "invocation_id": "...", "pid": 123,
//             "thread": "MainThread", "category": "", "extra": {}},
//    "data": {"node_info": {"unique_id": "model.p.x", "node_status": "success", ...},
//             "run_result": {...}}}
//
// Events: MainReportVersion, LogStartLine / LogModelResult / LogTestResult (the progress
// lines), NodeStart / NodeFinished (with data.node_info), FinishedRunningStats, StatsLine,
// Note (any other message), CommandCompleted. Thread-safe: every line is written whole.
#pragma once

#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "transform/node.h"
#include "transform/runner.h"

namespace baliza::cli {

class JsonLog {
 public:
  explicit JsonLog(std::string invocation_id) : invocation_id_(std::move(invocation_id)) {}

  void event(const std::string& name, const std::string& level, const std::string& msg,
             nlohmann::json data = nlohmann::json::object());
  // A line the runner prints (progress, summary), named after what it says.
  void line(const std::string& text);
  void node_start(const transform::Node& n);
  void node_finish(const transform::Node& n, const transform::NodeResult& r);
  void command_completed(bool success, double elapsed);

 private:
  std::mutex mutex_;
  std::string invocation_id_;
};

}  // namespace baliza::cli
