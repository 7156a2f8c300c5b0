// OpenLineage events of a transform run: for each model, seed and snapshot the runner executes,
// a START
// when it starts and a COMPLETE or FAIL when it ends, as a child run of `parent` (the command's
// own run: `baliza build`, `baliza run`, ...).
//
// COMPLETE carries: the output dataset (duckdb://<file>, schema.table) with its schema (read
// from the catalog after the build), columnLineage (project_lineage.h: each column's input
// columns with their transformation; a column whose lineage is unknown is left out; JSON fields
// of raw pages are named in the transformation's description), outputStatistics (rows
// written) and, in build mode, the
// model's data tests with their outcome (dataQualityAssertions, so the COMPLETE of a tested
// model waits for its tests); the inputs (upstream models, seeds and sources; ephemeral models
// are looked through); job facets jobType, sql (compiled) and sourceCodeLocation. FAIL carries
// errorMessage. Nodes skipped because something upstream failed never start and emit nothing.
// A node interrupted by Ctrl-C (NodeResult::interrupted) ends with ABORT. close() ends what is
// still open: ABORT for a model started and not finished, COMPLETE for a model whose tests
// never ran.
//
// Cost: the CPU its hooks take is charged to the client (EventClient::cpu_seconds, printed in its
// summary), except the model's parse and column lineage, which the build reuses (take_lineage)
// and would compute without events too.
//
// Threads: on_start/on_finish are called from the runner's worker threads; the catalog reads
// (schema, the model's SQL parse) run on a connection of the calling worker, outside the
// lock; the bookkeeping and emission are serialized inside.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "db/database.h"
#include "lineage/openlineage_client.h"
#include "lineage/openlineage_event.h"
#include "lineage/project_lineage.h"
#include "transform/dag.h"
#include "transform/runner.h"

namespace baliza::lineage {

class ModelEvents {
 public:
  ModelEvents(EventClient& client, const transform::Project& project, const transform::Dag& dag,
              const std::vector<std::size_t>& selected, const std::string& db_path, RunRef parent,
              std::function<std::unique_ptr<Connection>()> connect);
  ~ModelEvents();

  void on_start(const transform::Node& node);
  void on_finish(const transform::Node& node, const transform::NodeResult& result);
  void close();

  // Fills RunOptions::on_node_start / on_node_finish with this object's hooks.
  void attach(transform::RunOptions& run);

  // The column lineage of the models built, as their COMPLETE events carried it, so that the
  // command stores it without analysing each model again (built_lineage.h). After close().
  ProjectLineage take_lineage();

 private:
  struct Open {
    RunRef run;
    nlohmann::json complete;  // held while tests are pending
    bool finished = false;
  };
  nlohmann::json inputs_of(std::size_t index) const;
  nlohmann::json output_of(const transform::Node& node) const;
  nlohmann::json job_facets(const transform::Node& node, const std::string& sql) const;
  nlohmann::json run_facets() const;
  nlohmann::json column_lineage_facet(const transform::Node& node, const ModelShape* shape,
                                      const std::string& error, Connection& conn);
  std::vector<SchemaField> read_schema(const transform::Node& node, Connection& conn);
  void record_test(const transform::Node& test, const transform::NodeResult& result);
  void release(const std::string& model_id);

  EventClient& client_;
  const transform::Project& project_;
  const transform::Dag& dag_;
  std::string namespace_;
  RunRef parent_;
  std::function<std::unique_ptr<Connection>()> connect_;
  std::string engine_version_;
  ProjectLineage lineage_;  // column lineage of the models built so far
  std::mutex mutex_;
  std::map<std::string, Open> open_;          // model/seed unique_id -> its run
  std::map<std::string, int> pending_tests_;  // model unique_id -> tests not done
  std::map<std::string, std::vector<Assertion>> assertions_;
  std::map<std::string, std::vector<std::string>> targets_;  // test unique_id -> models
  bool closed_ = false;
};

}  // namespace baliza::lineage
