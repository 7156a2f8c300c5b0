// Column lineage of one model: for each output column, the columns of the relations the model
// reads that it is computed from, with OpenLineage's transformation vocabulary, derived from the
// model's Flow tree (model_shape.h: scopes resolved, CTEs, subqueries and ephemeral models
// inlined, stars expanded over the catalog's columns).
//
//   DIRECT   IDENTITY        copied unchanged (through any number of plain references)
//            TRANSFORMATION  computed from it (functions, casts, arithmetic, CASE branches)
//            AGGREGATION     an aggregate over it (sum, count, ...; also aggregate windows)
//   INDIRECT CONDITIONAL     it decides a CASE branch of the column (per column)
//            WINDOW          a window's PARTITION BY / ORDER BY of the column (per column)
//            FILTER          WHERE, HAVING, QUALIFY (whole dataset: ModelLineage::dataset)
//            JOIN            a join condition (whole dataset)
//            GROUP_BY        a GROUP BY key (whole dataset)
//            SORT            ORDER BY (whole dataset)
//
// Composition along a chain keeps the strongest DIRECT subtype (IDENTITY < TRANSFORMATION <
// AGGREGATION). Struct and JSON navigation keeps the path: a reference to `r.valorGlobal` where
// r = unnest(from_json(baliza_payload(p.compressed), ...).data) is an IDENTITY of the field
// `data[].valorGlobal` of raw.payloads.compressed; over the raw store (raw.payloads), the
// endpoints a WHERE on raw.api_requests.endpoint selects are reported with it.
//
// Nothing is guessed: a column whose lineage cannot be followed (an opaque FROM, a table
// function, a star over a relation of unknown columns, a scalar subquery) is `known = false`
// with the reason; the inputs found are still listed.
//
// Errors: never throws for a shape it does not understand. Threads: values only.
#pragma once

#include <string>
#include <vector>

#include "lineage/model_shape.h"

namespace baliza::lineage {

struct ColumnInput {
  RelationName relation;  // as the compiled SQL names it (schema.table)
  std::string column;
  std::string field_path;  // JSON/struct path inside the column ("data[].valorGlobal"), or ""
  std::vector<std::string> endpoints;  // raw store only: the endpoints the model reads
  std::string type;                    // DIRECT | INDIRECT
  std::string subtype;                 // IDENTITY, TRANSFORMATION, ..., FILTER, SORT
  bool operator==(const ColumnInput& o) const;
  // "raw.payloads.compressed" or "raw.payloads.compressed -> data[].valorGlobal".
  std::string label() const;
};

struct ColumnLineage {
  std::string column;
  std::vector<ColumnInput> inputs;  // DIRECT and per-column INDIRECT, without repeats
  bool known = true;
  std::string reason;  // when !known
};

struct ModelLineage {
  std::vector<ColumnLineage> columns;  // in output order
  std::vector<ColumnInput> dataset;    // INDIRECT inputs that shape every row
  bool known = true;                   // false when the output columns themselves are unknown
  std::string reason;
};

ModelLineage column_lineage(const ModelShape& shape, const RelationColumns& relation_columns);

}  // namespace baliza::lineage
