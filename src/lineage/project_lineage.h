// Column lineage of a whole project: every model's ModelLineage (column_lineage.h), tied
// together through the relations models build, so a column can be followed upstream (to the
// sources, seeds and raw API fields it comes from) or downstream (to every model column it
// feeds), and stored: `lineage.columns` in the database and `lineage` per column in
// target/manifest.json.
//
// Built in one of two ways, both feeding add_model() in dependency order:
//   - from `validate` (ValidatedModel hook): the scratch database has every upstream relation,
//     empty, with its columns;
//   - after a build: the warehouse itself (columns read from its catalog).
// Relation columns come from the models' own lineage when known (no catalog query), else from
// the connection's catalog (one query per distinct relation, cached).
//
// Errors: add_model never throws; a model whose SQL cannot be analysed gets known = false with
// the reason. Threads: one at a time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/database.h"
#include "lineage/column_lineage.h"
#include "transform/dag.h"

namespace baliza::lineage {

struct ModelColumns {
  std::string unique_id;
  std::string name;
  std::string relation;  // schema.table ("" for an ephemeral model)
  ModelLineage lineage;
};

class ProjectLineage {
 public:
  void add_model(const transform::Node& node, const std::string& compiled_sql, Connection& conn);
  // The same with the SQL already analysed (nullptr: it could not be; `error` says why).
  void add_model(const transform::Node& node, const ModelShape* shape, const std::string& error,
                 Connection& conn);

  // Reads the columns of every relation of the connection's database in one query; relations
  // not in it are then unknown without asking again (a snapshot: call it when the catalog is
  // complete, as at the end of validation).
  void preload_catalog(Connection& conn);

  const std::vector<ModelColumns>& models() const { return models_; }
  // The model whose name, unique_id or schema.table is `name` (case-insensitive), or nullptr.
  const ModelColumns* find(const std::string& name) const;
  // The model that builds `relation` (schema.table), or nullptr (a source, seed, raw table).
  const ModelColumns* producer(const RelationName& relation) const;

  // Replaces the rows of these models in lineage.columns (created if missing).
  void store(Connection& conn) const;
  // Adds "lineage" to each column of each model node in a dbt manifest (columns not documented
  // in yml are added with dbt's empty column shape).
  void annotate_manifest(nlohmann::json& manifest) const;

 private:
  std::optional<std::vector<std::string>> relation_columns(const RelationName& r, Connection& conn);

  std::vector<ModelColumns> models_;
  std::map<std::string, std::size_t> by_relation_;  // lower(schema.table) -> models_ index
  std::map<std::string, std::size_t> by_name_;      // lower(name) and unique_id
  std::map<std::string, std::optional<std::vector<std::string>>> catalog_;  // lower(schema.table)
  bool catalog_complete_ = false;
};

// Follows column `column` of `model` through the project: upstream (its inputs, their inputs,
// ...) or downstream (the model columns it feeds), at most `depth` steps (< 0: unlimited).
struct LineageStep {
  int depth = 1;
  std::string model;     // the model column this step reaches (downstream) or comes from
  std::string relation;  // schema.table of that column
  std::string column;
  ColumnInput input;  // upstream: the input; downstream: how the reached column uses its parent
  bool leaf_known = true;
  std::string reason;
  std::vector<LineageStep> next;
};
std::vector<LineageStep> upstream(const ProjectLineage& p, const ModelColumns& model,
                                  const std::string& column, int depth);
std::vector<LineageStep> downstream(const ProjectLineage& p, const ModelColumns& model,
                                    const std::string& column, int depth);

nlohmann::json to_json(const ColumnInput& in);
nlohmann::json to_json(const std::vector<LineageStep>& steps);
// Indented text: "<- DIRECT IDENTITY staging.x.col" lines, children indented below.
std::string to_text(const std::vector<LineageStep>& steps, bool upstream, int indent = 1);

}  // namespace baliza::lineage
