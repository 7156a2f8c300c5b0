#include "cli/json_log.h"

#include <unistd.h>

#include <cstdio>
#include <functional>
#include <map>
#include <thread>

#include "core/clock.h"
#include "transform/artifacts.h"
#include "transform/relation.h"

namespace baliza::cli {
namespace {

// dbt's event codes for the events Baliza emits.
const std::map<std::string, std::string>& codes() {
  static const std::map<std::string, std::string> kCodes = {
      {"MainReportVersion", "A001"}, {"CommandCompleted", "Q039"},
      {"LogStartLine", "Q011"},      {"LogModelResult", "Q012"},
      {"LogTestResult", "Q007"},     {"NodeStart", "Q024"},
      {"NodeFinished", "Q025"},      {"FinishedRunningStats", "Q028"},
      {"StatsLine", "Z023"},         {"Note", "Z050"}};
  return kCodes;
}

std::string now() {
  return transform::iso_timestamp(utc_timestamp_now());
}

std::string thread_name() {
  return "Thread-" +
         std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()) % 1000);
}

nlohmann::json node_info(const transform::Node& n) {
  return {{"unique_id", n.unique_id},
          {"resource_type", std::string(transform::to_string(n.resource_type))},
          {"node_name", n.name},
          {"node_path", n.path},
          {"materialized", n.config.materialized},
          {"node_relation",
           {{"schema", transform::node_schema(n)},
            {"alias", transform::node_identifier(n)},
            {"relation_name", transform::relation_sql(n)}}}};
}

}  // namespace

void JsonLog::event(const std::string& name, const std::string& level, const std::string& msg,
                    nlohmann::json data) {
  auto code = codes().find(name);
  nlohmann::json line = {{"info",
                          {{"name", name},
                           {"code", code == codes().end() ? "" : code->second},
                           {"level", level},
                           {"msg", msg},
                           {"ts", now()},
                           {"invocation_id", invocation_id_},
                           {"pid", static_cast<int>(::getpid())},
                           {"thread", thread_name()},
                           {"category", ""},
                           {"extra", nlohmann::json::object()}}},
                         {"data", std::move(data)}};
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void JsonLog::line(const std::string& text) {
  std::string name = "Note";
  std::string level = "info";
  if (text.find(" START ") != std::string::npos) {
    name = "LogStartLine";
  } else if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) &&
             text.find(" of ") != std::string::npos) {
    name = text.find(" test ") != std::string::npos ? "LogTestResult" : "LogModelResult";
    if (text.find(" ERROR ") != std::string::npos || text.find(" FAIL ") != std::string::npos)
      level = "error";
    else if (text.find(" WARN ") != std::string::npos)
      level = "warn";
  } else if (text.rfind("Finished running", 0) == 0) {
    name = "FinishedRunningStats";
  } else if (text.rfind("Done. PASS=", 0) == 0) {
    name = "StatsLine";
  } else if (text.rfind("warning: ", 0) == 0) {
    level = "warn";
  }
  event(name, level, text);
}

void JsonLog::node_start(const transform::Node& n) {
  nlohmann::json info = node_info(n);
  info["node_status"] = "started";
  info["node_started_at"] = now();
  event("NodeStart", "debug", "Began running node " + n.unique_id, {{"node_info", info}});
}

void JsonLog::node_finish(const transform::Node& n, const transform::NodeResult& r) {
  nlohmann::json info = node_info(n);
  info["node_status"] = r.status;
  if (!r.started_at.empty()) info["node_started_at"] = transform::iso_timestamp(r.started_at);
  if (!r.completed_at.empty()) info["node_finished_at"] = transform::iso_timestamp(r.completed_at);
  nlohmann::json result = {
      {"status", r.status},
      {"message", r.message},
      {"execution_time", r.execution_time},
      {"adapter_response", r.rows_affected >= 0 ? nlohmann::json{{"rows_affected", r.rows_affected}}
                                                : nlohmann::json::object()},
      {"failures", r.failures ? nlohmann::json(*r.failures) : nlohmann::json(nullptr)}};
  std::string level = r.status == "error" || r.status == "fail" || r.status == "partial success"
                          ? "error"
                      : r.status == "warn" ? "warn"
                                           : "debug";
  event("NodeFinished", level, "Finished running node " + n.unique_id,
        {{"node_info", info}, {"run_result", result}});
}

void JsonLog::command_completed(bool success, double elapsed) {
  event("CommandCompleted", "debug",
        std::string("Command `dbt` ") + (success ? "succeeded" : "failed") + " at " + now() +
            " after " + std::to_string(elapsed) + " seconds",
        {{"completed_at", now()}, {"success", success}, {"elapsed", elapsed}});
}

}  // namespace baliza::cli
