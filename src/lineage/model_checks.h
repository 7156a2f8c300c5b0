// What `baliza validate` and `baliza lineage` learn from each model's SQL while the project is
// bound: its column lineage (project_lineage.h) and its static type problems (type_checks.h)
// as validation issues at the model's file:line. hook() only collects each model's compiled SQL
// (in dependency order); finish(), at the end of validation while the scratch database lives,
// parses them all in batches (batch_analysis.h) and reads the scratch catalog once, so the
// analysis costs no query per model.
// Threads: one at a time.
#pragma once

#include <string>
#include <vector>

#include "lineage/project_lineage.h"
#include "lineage/type_checks.h"
#include "transform/validate.h"

namespace baliza::lineage {

class ModelChecks {
 public:
  explicit ModelChecks(bool type_checks = true) : type_checks_(type_checks) {}

  // Bound to this object, which must outlive the validation.
  transform::ValidatedModel hook();
  transform::ValidationFinished finish();

  const ProjectLineage& lineage() const { return lineage_; }

 private:
  std::vector<transform::ValidationIssue> analyse(Connection& scratch);

  struct Pending {
    const transform::Node* node;
    std::string sql;
    int prefix_lines;
  };
  std::vector<Pending> pending_;
  bool type_checks_;
  ProjectLineage lineage_;
  TypeChecker types_;
};

}  // namespace baliza::lineage
