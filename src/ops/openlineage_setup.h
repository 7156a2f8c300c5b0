// Wiring of OpenLineage events for the commands: the EventClient from baliza.yml and the
// environment with libcurl as its HTTP poster, the parent run of a command, and one run per
// extracted endpoint.
//
// Extraction events: job "<project>.extract.<endpoint>", input the API endpoint as a dataset
// ("https://host", "/path"), outputs where the pages land (RawDatasets: raw.api_requests with
// outputStatistics = pages stored, raw.payloads with the bytes stored compressed; for a
// coordinator's worker, the coordinator's PostgreSQL tables). An endpoint's run STARTs when the
// first task of it is claimed (ExtractOptions::on_endpoint_claimed), so an endpoint with nothing
// to do emits nothing; it ends with COMPLETE when every task of it ended done, FAIL
// (errorMessage: the counts) when some failed or ended partial, ABORT when interrupted, and
// FAIL with the error when the extraction stopped on an error (fail_open, or the destructor).
//
// Threads: ExtractionEvents::start() may be called from the extractor's loop thread while
// nothing else runs on the object; CommandEvents from one thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/config.h"
#include "extract/extractor.h"
#include "lineage/openlineage_client.h"
#include "lineage/openlineage_event.h"
#include "plan/endpoint_config.h"

namespace baliza::ops {

// Always returns a client; a disabled one (no configuration) ignores emit().
std::unique_ptr<lineage::EventClient> make_event_client(const Settings& settings);

// The parent run of a command (`<project>.<command>`): START on begin(), COMPLETE/FAIL/ABORT on
// end(). Its RunRef is what child events name in their parent facet.
class CommandRun {
 public:
  CommandRun(lineage::EventClient& client, const std::string& project, const std::string& command);
  const lineage::RunRef& ref() const { return ref_; }
  void begin();
  // exit_code: 0 COMPLETE, 130 ABORT, else FAIL.
  void end(int exit_code, const std::string& message = "");

 private:
  lineage::EventClient& client_;
  lineage::RunRef ref_;
  bool open_ = false;
};

// A command's events from start to end: its client (make_event_client), its parent run begun
// at construction when events are enabled, and at finish() the parent's end, the client drained
// (at most its timeout) and the line saying how many events were sent and lost.
class CommandEvents {
 public:
  CommandEvents(const Settings& settings, const std::string& project, const std::string& command);
  ~CommandEvents();  // finish(1, "stopped on an error") when finish() was not called
  bool enabled() const { return client_->enabled(); }
  lineage::EventClient& client() { return *client_; }
  const lineage::RunRef& parent() const { return run_->ref(); }
  const std::string& project() const { return project_; }
  // Returns the summary line ("" when events are off).
  std::string finish(int exit_code, const std::string& message = "");

 private:
  std::unique_ptr<lineage::EventClient> client_;
  std::unique_ptr<CommandRun> run_;
  std::string project_;
  bool finished_ = false;
};

// Where an extraction stores pages: a dataset namespace and the two raw tables' names.
struct RawDatasets {
  std::string ns;
  std::string requests;
  std::string payloads;
};
// duckdb://<absolute path>, raw.api_requests, raw.payloads.
RawDatasets duckdb_raw_datasets(const std::string& db_path);
// postgres://<host>:<port>, <database>.baliza.api_requests, <database>.baliza.payloads, from a
// libpq URL (postgresql://user@host:5432/db) or key=value connection string.
RawDatasets postgres_raw_datasets(const std::string& coordinator_url);

class ExtractionEvents {
 public:
  // `config` must outlive this object.
  ExtractionEvents(lineage::EventClient& client, const lineage::RunRef& parent,
                   const std::string& project, RawDatasets outputs,
                   const plan::EndpointsConfig& config, std::string base_url_override);
  ~ExtractionEvents();
  // Sets options.on_endpoint_claimed to start(); keeps any hook already there.
  void attach(extract::ExtractOptions& options);
  // START of the endpoint's run, once.
  void start(const std::string& endpoint);
  void finish(const extract::ExtractResult& result);
  // FAIL for every run still open (the extraction threw).
  void fail_open(const std::string& message);

 private:
  struct Open {
    lineage::RunRef run;
    nlohmann::json input;
  };
  lineage::EventClient& client_;
  lineage::RunRef parent_;
  std::string project_;
  RawDatasets outputs_;
  const plan::EndpointsConfig& config_;
  std::string base_url_;
  std::mutex mutex_;
  std::map<std::string, Open> open_;
};

}  // namespace baliza::ops
