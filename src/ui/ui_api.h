// The JSON endpoints of `baliza ui`: each answers one view of the page from the database's
// tables (through UiReader, so through the read guard) and, for the Models view, the loaded
// project's DAG. Every function returns a JSON document; text is returned as JSON strings and
// the page renders it as text (never as HTML). Missing optional tables give empty lists.
//
//   runs()                  extraction and transform runs: status, duration per stage, errors
//   live()                  the running (or last) extraction per endpoint: pages done/expected,
//                           rate over the last minute, 429s, ETA
//   coverage()              endpoint x day: planned, done, partial, failed, pending, pages, records
//   coverage_cell(e, day)   that cell's tasks, pages and failures
//   models(q)               the DAG with last status, rows and duration per node, laid out on
//                           the server (ui_models.cpp, dag_layout.h): the whole graph node by
//                           node up to kWholeGraphNodes, else an overview of groups; a group's
//                           nodes; a node's neighbourhood; everything (all)
//   search_models(text)     nodes whose name or id contains text, best first
//   model(id)               a model: SQL, columns, tests and their history, accounting, lineage
//   quality()               accounting ledger per run, quarantine by failure type, drift, tests
//   query(sql, offset, n)   a read-only SELECT, one page of rows (+ whether more exist)
//   lineage_rows(model)     rows of a model to pick one to trace (ui_lineage.cpp)
//   trace(model, row)       that row back to its raw pages and JSON records, levels paged
//                           (lineage/explain.h's trace, as `baliza trace`)
//   impact(page | row)      what a raw page or a row feeds downstream (`baliza impact`)
//   workers()               the coordinator's workers, as pulled and live (ui_workers.cpp)
//   workflows(run)          workflow runs, one run's steps, period runs (ui_workflows.cpp)
//
// Trace and impact run the lineage engine through ops/explain_request.h: on the file opened
// read-only here, or, while another process holds it, in that process through its read socket.
//
// Errors: baliza::Error from the reader (a refused statement is a usage error, exit code 2).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "ops/explain_request.h"
#include "transform/dag.h"
#include "transform/project.h"
#include "ui/dag_layout.h"
#include "ui/ui_reader.h"

namespace baliza::ui {

struct ProjectView {
  const transform::Project* project = nullptr;  // may be null: no DAG then
  const transform::Dag* dag = nullptr;
  std::string coordinator_url;  // the extraction coordinator (PostgreSQL), "" when none
};

// A row of a model, picked by column = value (compared as text), by the value of the model's
// one-column unique key (column empty), or by a SQL predicate (where; checked by the read
// guard).
struct ModelsQuery {
  std::string focus;  // a node's unique_id: its neighbourhood
  int depth = 2;      // of the neighbourhood, up and down
  std::string group;  // an overview group's id: its nodes
  bool all = false;   // every node, however many
};

// Above this many nodes the whole graph is shown as an overview of groups.
inline constexpr std::size_t kWholeGraphNodes = 2500;

struct RowChoice {
  std::string column, value, where;
};

class UiApi {
 public:
  UiApi(UiReader& reader, ProjectView project);

  nlohmann::json summary();
  nlohmann::json runs();
  nlohmann::json live();
  nlohmann::json coverage();
  nlohmann::json coverage_cell(const std::string& endpoint, const std::string& day);
  nlohmann::json models(const ModelsQuery& query = {});
  nlohmann::json search_models(const std::string& text, std::size_t limit);
  nlohmann::json model(const std::string& unique_id);
  nlohmann::json quality();
  nlohmann::json query(const std::string& sql, std::uint64_t offset, std::uint64_t limit);
  std::string query_csv(const std::string& sql);
  nlohmann::json lineage_rows(const std::string& model, std::uint64_t offset, std::uint64_t limit);
  // Every level's sample is paged: rows [offset, offset + limit) (each level says has_more).
  nlohmann::json trace(const std::string& model, const RowChoice& row, std::uint64_t offset,
                       std::uint64_t limit);
  // From a raw page (sha256 or a unique prefix) when page is set, else from rows of model; with
  // field, only what derives from that column (of model) or JSON field (of the page's records).
  nlohmann::json impact(const std::string& page, const std::string& model, const RowChoice& row,
                        const std::string& field, std::uint64_t limit);
  nlohmann::json workers();
  nlohmann::json workflows(const std::string& run_id);

 private:
  nlohmann::json rows(const std::string& sql, const SqlParams& params = {});
  ops::ExplainRequest row_request(const std::string& op, const transform::Node& n,
                                  const RowChoice& row);
  ops::ExplainAnswer explain(const ops::ExplainRequest& request);
  UiReader& db_;
  ProjectView project_;
  std::unique_ptr<DagLayout> layout_;  // null without a DAG
};

// {"columns": [...], "types": [...], "rows": [[text|null, ...], ...], "truncated": bool}
nlohmann::json table_json(const TextTable& t);

}  // namespace baliza::ui
