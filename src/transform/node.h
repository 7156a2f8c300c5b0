// A node of a project: a model, seed, test or source, with what the loader knows about it
// before anything runs (dbt's manifest node, minus compiled SQL).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "transform/node_config.h"
#include "transform/source_pos.h"
#include "transform/template.h"

namespace baliza::transform {

// A data test declared in yml, as written (the test node carries the same in test_metadata).
struct TestSpec {
  std::string test_name;    // not_null, unique, accepted_values, relationships, expression_is_true
  std::string package;      // the namespace written before it (dbt_utils.equality), else empty
  std::string column_name;  // empty for a model-level test
  nlohmann::json kwargs;    // object: values, to, field, expression, ... (null when none)
  ConfigPatch config;       // severity, store_failures, where, ...
  std::string file;         // yml file that declares it
  SourcePos pos;
};

struct ColumnSpec {
  std::string name;
  std::string description;
  std::string data_type;
  nlohmann::json meta;             // null when the yml has none
  std::vector<std::string> tests;  // unique_ids of the test nodes on this column
};

struct Node {
  std::string unique_id;  // model.<project>.<name>, seed.., test.., source.<project>.<src>.<table>
  std::string name;
  ResourceType resource_type = ResourceType::kModel;
  std::string package_name;        // the project name
  std::string original_file_path;  // relative to the project root, '/' separated
  std::string path;                // relative to its model/seed/test path folder
  std::string patch_path;          // the yml that describes it, if any
  SourcePos patch_pos;             // where in patch_path
  std::vector<std::string> fqn;    // [project, folders..., name]; sources [project, src, table]
  std::string raw_code;            // SQL template, or CSV text for a seed
  std::string language = "sql";    // "python" for a dbt Python model (never run here)
  std::string checksum;            // sha256 of the file contents (of the yml entry for sources)
  NodeConfig config;
  std::string description;
  std::vector<ColumnSpec> columns;
  nlohmann::json meta;  // null when the yml has none (nodes are many: avoid empty objects)

  // Parsed template (models and singular tests); shared so nodes copy cheaply.
  std::shared_ptr<const Template> tmpl;
  // Dependencies as written: from the template, config depends_on, and generic tests.
  std::vector<TemplateRef> refs;
  std::vector<TemplateSource> sources;
  std::vector<std::string> tests;  // unique_ids of the tests attached to this node

  // Where it lives when fixed at load time: always for sources (yml schema, default the
  // source's name; identifier default the table's name), for every node of a dbt project
  // (dbt_naming.h). Empty otherwise: relation.h derives them from the config.
  std::string identifier;
  std::string schema;
  std::string database;  // a catalog other than the default one, else empty

  // Sources only.
  std::string source_name;
  nlohmann::json source_extra = nlohmann::json::object();  // loaded_at_field, freshness, ...

  // Tests only: generic tests have test_metadata; singular tests have raw_code.
  bool is_generic_test = false;
  TestSpec test_metadata;
  std::string attached_node;  // unique_id of the tested node (generic tests)
};

}  // namespace baliza::transform
