// Column-level impact: the columns of downstream models that change when one column (or one JSON
// field of a raw column, e.g. raw.payloads.compressed -> data[].valorGlobal) changes, followed
// through the project's column lineage (project_lineage.h: the same SQL analysis as everything
// in this layer, no second analyser).
//
// A column reached through a DIRECT input (identity, transformation, aggregation) or a per-column
// INDIRECT one (a CASE condition, a window's partition/order) changes in the rows derived from
// the changed rows. A column used by a model's dataset-level inputs (WHERE, JOIN, GROUP BY)
// shapes its rows: changing it can make rows appear, disappear or move to another group, so
// every column of that model is then affected (`rows_shaped`), and so is what reads them.
//
// Errors: none (an unknown column simply reaches nothing). Threads: values only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "lineage/project_lineage.h"

namespace baliza::lineage {

struct ImpactedColumn {
  std::string column;
  std::string how;  // "DIRECT AGGREGATION of staging.x.col", "rows shaped by FILTER on ..."
};

struct ModelColumnImpact {
  std::vector<ImpactedColumn> columns;
  std::string rows_shaped;  // non-empty: a dataset-level input changes (why); all columns change
};

struct ColumnImpact {
  // lower-case schema.table of each reached model -> what changes in it
  std::map<std::string, ModelColumnImpact> models;
  const ModelColumnImpact* find(const std::string& relation) const;
};

// `field`: for a raw column holding JSON, the field that changes ("valorGlobal" or
// "data[].valorGlobal"); empty for a plain column.
ColumnImpact column_impact(const ProjectLineage& lineage, const RelationName& relation,
                           const std::string& column, const std::string& field);

}  // namespace baliza::lineage
