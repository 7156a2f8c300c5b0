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
//   models()                DAG nodes and edges with last status, rows and duration
//   model(id)               a model: SQL, columns, tests and their history, accounting, lineage
//   quality()               accounting ledger per run, quarantine by failure type, drift, tests
//   query(sql, offset, n)   a read-only SELECT, one page of rows (+ whether more exist)
//   lineage(rel, col, v)    rows of a relation back to their raw page and JSON record
//
// Errors: baliza::Error from the reader (a refused statement is a usage error, exit code 2).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "transform/dag.h"
#include "transform/project.h"
#include "ui/ui_reader.h"

namespace baliza::ui {

struct ProjectView {
  const transform::Project* project = nullptr;  // may be null: no DAG then
  const transform::Dag* dag = nullptr;
};

class UiApi {
 public:
  UiApi(UiReader& reader, ProjectView project) : db_(reader), project_(project) {}

  nlohmann::json summary();
  nlohmann::json runs();
  nlohmann::json live();
  nlohmann::json coverage();
  nlohmann::json coverage_cell(const std::string& endpoint, const std::string& day);
  nlohmann::json models();
  nlohmann::json model(const std::string& unique_id);
  nlohmann::json quality();
  nlohmann::json query(const std::string& sql, std::uint64_t offset, std::uint64_t limit);
  std::string query_csv(const std::string& sql);
  nlohmann::json lineage_tables();
  // Rows of relation (schema.table) whose column equals value, and for each the raw page and
  // the JSON record it came from when the relation keeps (payload_sha256, record_position).
  nlohmann::json lineage(const std::string& relation, const std::string& column,
                         const std::string& value);

 private:
  nlohmann::json rows(const std::string& sql, const SqlParams& params = {});
  UiReader& db_;
  ProjectView project_;
};

// {"columns": [...], "types": [...], "rows": [[text|null, ...], ...], "truncated": bool}
nlohmann::json table_json(const TextTable& t);

}  // namespace baliza::ui
