#include "ops/openlineage_setup.h"

#include "extract/http_post.h"

namespace baliza::ops {

std::unique_ptr<lineage::EventClient> make_event_client(const Settings& settings) {
  lineage::OpenLineageConfig config = lineage::load_openlineage_config(settings.config_file);
  lineage::HttpPoster poster = [](const lineage::PostRequest& r) {
    extract::PostResult p = extract::http_post(r.url, r.body, r.headers, r.timeout_seconds);
    return lineage::PostResponse{p.status, p.error};
  };
  return std::make_unique<lineage::EventClient>(std::move(config), std::move(poster));
}

CommandRun::CommandRun(lineage::EventClient& client, const std::string& project,
                       const std::string& command)
    : client_(client),
      ref_{lineage::new_run_id(), {client.config().job_namespace, project + "." + command}} {}

void CommandRun::begin() {
  open_ = true;
  client_.emit(lineage::run_event("START", ref_, nlohmann::json::object(),
                                  {{"jobType", lineage::job_type_facet("COMMAND")}},
                                  nlohmann::json::array(), nlohmann::json::array()));
}

void CommandRun::end(int exit_code, const std::string& message) {
  if (!open_) return;
  open_ = false;
  std::string type = exit_code == 0 ? "COMPLETE" : exit_code == 130 ? "ABORT" : "FAIL";
  nlohmann::json facets = nlohmann::json::object();
  if (exit_code != 0) {
    facets["errorMessage"] =
        lineage::error_facet(message.empty() ? "exit code " + std::to_string(exit_code) : message);
  }
  client_.emit(lineage::run_event(type, ref_, std::move(facets),
                                  {{"jobType", lineage::job_type_facet("COMMAND")}},
                                  nlohmann::json::array(), nlohmann::json::array()));
}

ExtractionEvents::ExtractionEvents(lineage::EventClient& client, const lineage::RunRef& parent,
                                   const std::string& project, const std::string& db_path)
    : client_(client),
      parent_(parent),
      project_(project),
      namespace_(lineage::duckdb_namespace(db_path)) {}

namespace {

nlohmann::json extraction_job_facets() {
  return {{"jobType", lineage::job_type_facet("EXTRACTION")}};
}

}  // namespace

void ExtractionEvents::start(const plan::EndpointsConfig& config,
                             const std::set<std::string>& endpoints,
                             const std::string& base_url_override) {
  if (!client_.enabled()) return;
  for (const std::string& name : endpoints) {
    const plan::EndpointConfig* e = config.find(name);
    if (e == nullptr) continue;
    std::string base = base_url_override.empty() ? e->base_url : base_url_override;
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto [ns, path] = lineage::http_dataset_name(base + e->path);
    Open o;
    o.run = {lineage::new_run_id(), {parent_.job.job_namespace, project_ + ".extract." + name}};
    o.input = lineage::dataset(ns, path);
    client_.emit(
        lineage::run_event("START", o.run, {{"parent", lineage::parent_facet(parent_)}},
                           extraction_job_facets(), nlohmann::json::array({o.input}),
                           nlohmann::json::array({lineage::dataset(namespace_, "raw.api_requests"),
                                                  lineage::dataset(namespace_, "raw.payloads")})));
    open_[name] = std::move(o);
  }
}

void ExtractionEvents::finish(const extract::ExtractResult& result) {
  for (auto& [name, o] : open_) {
    extract::EndpointTotals t;
    if (auto it = result.endpoints.find(name); it != result.endpoints.end()) t = it->second;
    nlohmann::json requests = lineage::dataset(namespace_, "raw.api_requests");
    requests["outputFacets"] = {{"outputStatistics", lineage::output_statistics_facet(t.pages)}};
    nlohmann::json payloads = lineage::dataset(namespace_, "raw.payloads");
    nlohmann::json stored = lineage::facet("OutputStatisticsOutputDatasetFacet");
    stored["size"] = static_cast<std::int64_t>(t.bytes_compressed);  // identical pages: once
    payloads["outputFacets"] = {{"outputStatistics", std::move(stored)}};
    nlohmann::json facets = {{"parent", lineage::parent_facet(parent_)}};
    std::string type = "COMPLETE";
    if (result.interrupted) {
      type = "ABORT";
      facets["errorMessage"] = lineage::error_facet("interrupted (Ctrl-C); rerun to resume");
    } else if (t.tasks_failed + t.tasks_partial > 0) {
      type = "FAIL";
      facets["errorMessage"] = lineage::error_facet(
          std::to_string(t.tasks_failed) + " task(s) failed and " +
          std::to_string(t.tasks_partial) +
          " ended partial; see meta.failed_requests and `baliza retry-failed`");
    }
    client_.emit(lineage::run_event(type, o.run, std::move(facets), extraction_job_facets(),
                                    nlohmann::json::array({o.input}),
                                    nlohmann::json::array({requests, payloads})));
  }
  open_.clear();
}

}  // namespace baliza::ops
