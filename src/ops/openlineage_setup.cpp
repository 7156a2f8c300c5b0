#include "ops/openlineage_setup.h"

#include <cctype>

#include "extract/http_post.h"

namespace baliza::ops {

std::unique_ptr<lineage::EventClient> make_event_client(const Settings& settings) {
  lineage::OpenLineageConfig config = lineage::openlineage_config(settings);
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

CommandEvents::CommandEvents(const Settings& settings, const std::string& project,
                             const std::string& command)
    : client_(make_event_client(settings)),
      run_(std::make_unique<CommandRun>(*client_, project, command)),
      project_(project) {
  if (client_->enabled()) run_->begin();
}

CommandEvents::~CommandEvents() {
  if (!finished_) finish(1, "the command stopped on an error");
}

std::string CommandEvents::finish(int exit_code, const std::string& message) {
  if (finished_) return "";
  finished_ = true;
  if (!client_->enabled()) return "";
  run_->end(exit_code, message);
  client_->close();
  return client_->summary();
}

namespace {

nlohmann::json extraction_job_facets() {
  return {{"jobType", lineage::job_type_facet("EXTRACTION")}};
}

// key=value pairs of a libpq connection string ("host=/tmp port=5432 dbname=x").
std::map<std::string, std::string> conninfo_pairs(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t eq = text.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = text.substr(i, eq - i);
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
    i = eq + 1;
    while (i < text.size() && text[i] == ' ') ++i;
    std::string value;
    if (i < text.size() && text[i] == '\'') {
      for (++i; i < text.size() && text[i] != '\''; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i];
      }
      ++i;
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
        value += text[i++];
    }
    out[key] = value;
  }
  return out;
}

}  // namespace

RawDatasets duckdb_raw_datasets(const std::string& db_path) {
  return {lineage::duckdb_namespace(db_path), "raw.api_requests", "raw.payloads"};
}

RawDatasets postgres_raw_datasets(const std::string& url) {
  std::string host, port, db, user;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    std::string rest = url.substr(url.find("://") + 3);
    std::string query;
    if (auto q = rest.find('?'); q != std::string::npos) {
      query = rest.substr(q + 1);
      rest.resize(q);
    }
    if (auto slash = rest.find('/'); slash != std::string::npos) {
      db = rest.substr(slash + 1);
      rest.resize(slash);
    }
    if (auto at = rest.rfind('@'); at != std::string::npos) {
      user = rest.substr(0, rest.find_first_of(":@"));
      rest = rest.substr(at + 1);
    }
    if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(']') == rest.npos) {
      port = rest.substr(colon + 1);
      rest.resize(colon);
    }
    host = rest;
    for (std::size_t i = 0; i < query.size();) {
      std::size_t amp = query.find('&', i);
      std::string pair = query.substr(i, amp == std::string::npos ? amp : amp - i);
      auto eq = pair.find('=');
      std::string key = pair.substr(0, eq), value = eq == pair.npos ? "" : pair.substr(eq + 1);
      if (key == "host" && host.empty()) host = value;
      if (key == "port" && port.empty()) port = value;
      if (key == "dbname" && db.empty()) db = value;
      if (key == "user" && user.empty()) user = value;
      if (amp == std::string::npos) break;
      i = amp + 1;
    }
  } else {
    auto pairs = conninfo_pairs(url);
    host = pairs["host"];
    port = pairs["port"];
    db = pairs["dbname"];
    user = pairs["user"];
  }
  // A socket folder (host=/run/postgresql) is this machine's server.
  if (host.empty() || host.front() == '/') host = "localhost";
  if (port.empty()) port = "5432";
  if (db.empty()) db = user.empty() ? "postgres" : user;
  return {"postgres://" + host + ":" + port, db + ".baliza.api_requests", db + ".baliza.payloads"};
}

ExtractionEvents::ExtractionEvents(lineage::EventClient& client, const lineage::RunRef& parent,
                                   const std::string& project, RawDatasets outputs,
                                   const plan::EndpointsConfig& config,
                                   std::string base_url_override)
    : client_(client),
      parent_(parent),
      project_(project),
      outputs_(std::move(outputs)),
      config_(config),
      base_url_(std::move(base_url_override)) {}

ExtractionEvents::~ExtractionEvents() {
  fail_open("the extraction stopped before it reported its result");
}

void ExtractionEvents::attach(extract::ExtractOptions& options) {
  if (!client_.enabled()) return;
  auto previous = std::move(options.on_endpoint_claimed);
  options.on_endpoint_claimed = [this, previous](const std::string& endpoint) {
    if (previous) previous(endpoint);
    start(endpoint);
  };
}

void ExtractionEvents::start(const std::string& name) {
  if (!client_.enabled()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (open_.count(name)) return;
  const plan::EndpointConfig* e = config_.find(name);
  std::string base = base_url_.empty() && e ? e->base_url : base_url_;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto [ns, path] = lineage::http_dataset_name(base + (e ? e->path : "/" + name));
  Open o;
  o.run = {lineage::new_run_id(), {parent_.job.job_namespace, project_ + ".extract." + name}};
  o.input = lineage::dataset(ns, path);
  client_.emit(lineage::run_event(
      "START", o.run, {{"parent", lineage::parent_facet(parent_)}}, extraction_job_facets(),
      nlohmann::json::array({o.input}),
      nlohmann::json::array({lineage::dataset(outputs_.ns, outputs_.requests),
                             lineage::dataset(outputs_.ns, outputs_.payloads)})));
  open_[name] = std::move(o);
}

void ExtractionEvents::finish(const extract::ExtractResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, o] : open_) {
    extract::EndpointTotals t;
    if (auto it = result.endpoints.find(name); it != result.endpoints.end()) t = it->second;
    nlohmann::json requests = lineage::dataset(outputs_.ns, outputs_.requests);
    requests["outputFacets"] = {{"outputStatistics", lineage::output_statistics_facet(t.pages)}};
    nlohmann::json payloads = lineage::dataset(outputs_.ns, outputs_.payloads);
    nlohmann::json stored = lineage::facet("OutputStatisticsOutputDatasetFacet");
    stored["size"] = static_cast<std::int64_t>(t.bytes_compressed);  // identical pages: once
    payloads["outputFacets"] = {{"outputStatistics", std::move(stored)}};
    nlohmann::json facets = {{"parent", lineage::parent_facet(parent_)}};
    std::string type = "COMPLETE";
    if (result.interrupted) {
      type = "ABORT";
      facets["errorMessage"] = lineage::error_facet("interrupted (Ctrl-C); rerun to resume");
    } else if (!result.environment_error.empty()) {
      type = "FAIL";
      facets["errorMessage"] = lineage::error_facet(result.environment_error);
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

void ExtractionEvents::fail_open(const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, o] : open_) {
    nlohmann::json facets = {{"parent", lineage::parent_facet(parent_)},
                             {"errorMessage", lineage::error_facet(message)}};
    client_.emit(lineage::run_event(
        "FAIL", o.run, std::move(facets), extraction_job_facets(), nlohmann::json::array({o.input}),
        nlohmann::json::array({lineage::dataset(outputs_.ns, outputs_.requests),
                               lineage::dataset(outputs_.ns, outputs_.payloads)})));
  }
  open_.clear();
}

}  // namespace baliza::ops
