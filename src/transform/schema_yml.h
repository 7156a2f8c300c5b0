// Property files (`*.yml` beside models, seeds and tests), in dbt's schema.yml shape:
//
//   version: 2
//   models:
//     - name: orders
//       description: ...
//       config: {materialized: table, tags: [daily]}
//       data_tests: [...]                  # model-level tests
//       columns:
//         - name: id
//           tests: [not_null, unique]      # or data_tests:
//         - name: status
//           data_tests:
//             - accepted_values: {values: [a, b], config: {severity: warn}}
//             - relationships: {to: "ref('customers')", field: id}
//   sources:
//     - name: raw
//       schema: raw
//       tables: [{name: api_requests, identifier: ..., columns: [...]}]
//   seeds:
//     - name: modalidades
//       config: {column_types: {codigo: INTEGER}, depends_on: ["ref('other_seed')"]}
//
// Unknown keys and wrong types are usage errors with file:line:column.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "transform/node.h"

namespace baliza::transform {

// The yml entry of a model or seed: merged into the node of the same name.
struct NodePatch {
  std::string name;
  std::string file;
  SourcePos pos;
  std::string description;
  ConfigPatch config;
  std::vector<ColumnSpec> columns;
  std::vector<TestSpec> tests;  // model-level and column-level (column_name set)
  nlohmann::json meta;          // null when absent
};

struct SourceTableDef {
  NodePatch patch;  // name, description, columns, tests, config
  std::string identifier;
  nlohmann::json extra = nlohmann::json::object();  // loaded_at_field, freshness, external
};

struct SourceDef {
  std::string name;
  std::string schema;  // defaults to name
  std::string database;
  std::string description;
  std::string file;
  SourcePos pos;
  ConfigPatch config;
  nlohmann::json meta = nlohmann::json::object();
  nlohmann::json extra = nlohmann::json::object();
  std::vector<SourceTableDef> tables;
};

struct SchemaFile {
  std::vector<NodePatch> models;
  std::vector<NodePatch> seeds;
  std::vector<NodePatch> snapshots;
  std::vector<SourceDef> sources;
};

// Parses one property file. Throws usage_error on YAML syntax errors, unknown keys, wrong
// types, and unknown test names (with a suggestion).
SchemaFile parse_schema_file(const std::string& text, const std::string& file);

// The generic tests Baliza knows how to run.
const std::vector<std::string>& generic_test_names();

}  // namespace baliza::transform
