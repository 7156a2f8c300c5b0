// OpenLineage for the commands that check or move stored pages without extracting (`verify`,
// `pull`): one run under the command's run (CommandEvents), job `<project>.verify` or
// `<project>.pull`, START with the datasets it reads and writes, then COMPLETE or FAIL (ABORT for
// exit code 130) with outputStatistics (rows written) on its outputs; an error thrown before it
// ended (a coordinator that went away, a lock) is FAIL with the message, also when the object
// is destroyed without end() (the destructor ends it).
//
//   verify: inputs  raw.api_requests and raw.payloads (the stored pages compared) and the API
//                   endpoints refetched (`https://host`, path), outputs meta.verifications (one
//                   row per page checked) and raw.api_requests / raw.payloads (a changed body is
//                   stored as a new request row). FAIL when a page changed, went or failed (its
//                   exit code 1), with the counts.
//   pull:   inputs  the coordinator's tables (postgres://host:port, <db>.baliza.api_requests,
//                   payloads, task_plan, task_results, failed_requests), outputs the local
//                   raw.api_requests, raw.payloads, planning.task_plan, runtime.task_results and
//                   meta.failed_requests, each with the rows copied.
//
// Threads: one thread. The client and parent must outlive the object. Errors: none thrown
// (emitting never fails a command; lost events are counted by the client).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coord/pull.h"
#include "lineage/openlineage_client.h"
#include "lineage/openlineage_event.h"
#include "ops/openlineage_setup.h"
#include "ops/recovery.h"
#include "plan/endpoint_config.h"

namespace baliza::ops {

class DatasetRun {
 public:
  // `job`: "<project>.<command>"; inputs/outputs: OpenLineage datasets (lineage::dataset).
  DatasetRun(lineage::EventClient& client, const lineage::RunRef& parent, std::string job,
             std::string job_type, nlohmann::json inputs, nlohmann::json outputs);
  ~DatasetRun();
  DatasetRun(const DatasetRun&) = delete;
  DatasetRun& operator=(const DatasetRun&) = delete;

  void start();
  // rows[i]: rows written to outputs[i] (-1: not known, no statistics). exit_code 0 COMPLETE,
  // 130 ABORT, else FAIL with `message`.
  void end(int exit_code, const std::vector<std::int64_t>& rows, const std::string& message = "");

 private:
  lineage::EventClient& client_;
  lineage::RunRef parent_, run_;
  std::string job_type_;
  nlohmann::json inputs_, outputs_;
  bool open_ = false;
};

// The datasets of a verify run (see above): the endpoints are those selected (options.endpoints,
// else every endpoint of `config`).
struct VerifyDatasets {
  nlohmann::json inputs, outputs;
};
VerifyDatasets verify_datasets(const std::string& db_path, const plan::EndpointsConfig& config,
                               const VerifyOptions& options);
// rows per output of verify_datasets for a result.
std::vector<std::int64_t> verify_rows(const VerifyResult& result);
std::string verify_failure(const VerifyResult& result);  // "" when every page was the same

struct PullDatasets {
  nlohmann::json inputs, outputs;
};
PullDatasets pull_datasets(const std::string& db_path, const std::string& coordinator_url);
std::vector<std::int64_t> pull_rows(const coord::PullResult& result);

}  // namespace baliza::ops
