// Wiring of OpenLineage events for the commands: the EventClient from baliza.yml and the
// environment with libcurl as its HTTP poster, and the events of a pipeline run (the parent
// run of a command, and one run per extracted endpoint).
//
// Extraction events: job "<project>.extract.<endpoint>", input the API endpoint as a dataset
// ("https://host", "/path"), outputs raw.api_requests (outputStatistics: pages stored) and
// raw.payloads (bytes stored, compressed); COMPLETE when every task of the endpoint ended done,
// FAIL (errorMessage: the counts) when some failed or ended partial, ABORT when interrupted.
#pragma once

#include <memory>
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

class ExtractionEvents {
 public:
  ExtractionEvents(lineage::EventClient& client, const lineage::RunRef& parent,
                   const std::string& project, const std::string& db_path);
  void start(const plan::EndpointsConfig& config, const std::set<std::string>& endpoints,
             const std::string& base_url_override);
  void finish(const extract::ExtractResult& result);

 private:
  struct Open {
    lineage::RunRef run;
    nlohmann::json input;
  };
  lineage::EventClient& client_;
  lineage::RunRef parent_;
  std::string project_;
  std::string namespace_;
  std::map<std::string, Open> open_;
};

}  // namespace baliza::ops
