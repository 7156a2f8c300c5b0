#include "ops/dataset_run.h"

#include <utility>

namespace baliza::ops {

using nlohmann::json;

DatasetRun::DatasetRun(lineage::EventClient& client, const lineage::RunRef& parent, std::string job,
                       std::string job_type, json inputs, json outputs)
    : client_(client),
      parent_(parent),
      run_{lineage::new_run_id(), {parent.job.job_namespace, std::move(job)}},
      job_type_(std::move(job_type)),
      inputs_(std::move(inputs)),
      outputs_(std::move(outputs)) {}

DatasetRun::~DatasetRun() {
  end(1, {}, "the command stopped before it reported its result");
}

void DatasetRun::start() {
  if (!client_.enabled() || open_) return;
  open_ = true;
  client_.emit(lineage::run_event("START", run_, {{"parent", lineage::parent_facet(parent_)}},
                                  {{"jobType", lineage::job_type_facet(job_type_)}}, inputs_,
                                  outputs_));
}

void DatasetRun::end(int exit_code, const std::vector<std::int64_t>& rows,
                     const std::string& message) {
  if (!open_) return;
  open_ = false;
  json outputs = outputs_;
  for (std::size_t i = 0; i < outputs.size() && i < rows.size(); ++i)
    if (rows[i] >= 0)
      outputs[i]["outputFacets"] = {
          {"outputStatistics", lineage::output_statistics_facet(rows[i])}};
  json facets = {{"parent", lineage::parent_facet(parent_)}};
  const std::string type = exit_code == 0 ? "COMPLETE" : exit_code == 130 ? "ABORT" : "FAIL";
  if (exit_code != 0)
    facets["errorMessage"] =
        lineage::error_facet(message.empty() ? "exit code " + std::to_string(exit_code) : message);
  client_.emit(lineage::run_event(type, run_, std::move(facets),
                                  {{"jobType", lineage::job_type_facet(job_type_)}}, inputs_,
                                  std::move(outputs)));
}

VerifyDatasets verify_datasets(const std::string& db_path, const plan::EndpointsConfig& config,
                               const VerifyOptions& options) {
  const std::string ns = lineage::duckdb_namespace(db_path);
  VerifyDatasets d;
  d.inputs =
      json::array({lineage::dataset(ns, "raw.api_requests"), lineage::dataset(ns, "raw.payloads")});
  for (const plan::EndpointConfig& e : config.endpoints) {
    bool chosen = options.endpoints.empty();
    for (const std::string& name : options.endpoints) chosen = chosen || name == e.name;
    if (!chosen) continue;
    std::string base = options.base_url.empty() ? e.base_url : options.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto [host, path] = lineage::http_dataset_name(base + e.path);
    d.inputs.push_back(lineage::dataset(host, path));
  }
  d.outputs =
      json::array({lineage::dataset(ns, "meta.verifications"),
                   lineage::dataset(ns, "raw.api_requests"), lineage::dataset(ns, "raw.payloads")});
  return d;
}

std::vector<std::int64_t> verify_rows(const VerifyResult& r) {
  // Every page checked is a row of meta.verifications; a changed body is a new request row (its
  // payload is new unless an identical body was stored before: not known here).
  return {r.checked, r.changed, -1};
}

std::string verify_failure(const VerifyResult& r) {
  if (r.interrupted) {
    return "interrupted after " + std::to_string(r.checked) + " of " + std::to_string(r.selected) +
           " page(s) checked (" + std::to_string(r.checked - r.same) +
           " not the same; meta.verifications, run " + r.run_id + ")";
  }
  if (r.checked == r.same) return "";
  return std::to_string(r.changed) + " changed, " + std::to_string(r.gone) + " gone and " +
         std::to_string(r.failed) + " failed of " + std::to_string(r.checked) +
         " page(s) checked (meta.verifications, run " + r.run_id + ")";
}

PullDatasets pull_datasets(const std::string& db_path, const std::string& coordinator_url) {
  const RawDatasets pg = postgres_raw_datasets(coordinator_url);
  // "<db>.baliza." from "<db>.baliza.api_requests".
  const std::string prefix = pg.requests.substr(0, pg.requests.rfind('.') + 1);
  const std::string ns = lineage::duckdb_namespace(db_path);
  PullDatasets d;
  d.inputs = json::array();
  for (const char* t : {"api_requests", "payloads", "task_plan", "task_results", "failed_requests"})
    d.inputs.push_back(lineage::dataset(pg.ns, prefix + t));
  d.outputs = json::array();
  for (const char* t : {"raw.api_requests", "raw.payloads", "planning.task_plan",
                        "runtime.task_results", "meta.failed_requests"})
    d.outputs.push_back(lineage::dataset(ns, t));
  return d;
}

std::vector<std::int64_t> pull_rows(const coord::PullResult& r) {
  return {r.requests, r.payloads_new, r.tasks, r.results, r.failures};
}

}  // namespace baliza::ops
