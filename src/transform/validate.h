// Static validation (`baliza validate`): every model, ephemeral model and test bound by DuckDB
// against the known schemas, without writing anything.
//
// A scratch in-memory database mirrors the warehouse (tables of the DuckDB file, attached
// read-only, as views), seeds (their CSV header and types, no rows), and sources missing from
// the warehouse (empty tables from their yml columns). Then, in dependency order, each model
// becomes a view there, so DuckDB's binder reports unknown tables, unknown columns and type
// errors, mapped back to the model's file:line. A model that fails is reported once; models
// downstream of it are reported as not checked rather than with follow-on errors.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "transform/dag.h"

namespace baliza::transform {

struct ValidationIssue {
  std::string location;  // file:line when known
  std::string message;
  bool error = true;  // false: a note (e.g. not checked because upstream failed)
};

struct ValidationIssue;

// Called for each model that bound, in dependency order, with its compiled SQL (prefix_lines:
// lines compilation put before the model's own SQL) and the scratch connection (where upstream
// relations exist, empty, with their columns): analyses that need the binder's view of the
// project (column lineage, type checks) run here without a second scratch build. The issues
// it returns are reported with the others.
using ValidatedModel = std::function<std::vector<ValidationIssue>(
    const Node& node, const std::string& compiled_sql, int prefix_lines, Connection& scratch)>;

// Called once after every node was checked, while the scratch database still lives: analyses
// that batch their work over all models (one query for many) run here.
using ValidationFinished = std::function<std::vector<ValidationIssue>(Connection& scratch)>;

// Beyond binding, it reports (as errors): contracts (contract.h) that the SELECT breaks, models
// that read nothing from the project and that nothing reads (orphans), and sources nothing
// reads, each with the yml/SQL location and a fix.
// `warehouse`: the DuckDB file to read existing tables from (nullopt or missing: none).
std::vector<ValidationIssue> validate_project(const Project& project, const Dag& dag,
                                              const std::optional<std::string>& warehouse,
                                              const ValidatedModel& on_model = nullptr,
                                              const ValidationFinished& on_finish = nullptr);

}  // namespace baliza::transform
