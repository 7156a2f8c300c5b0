// What `baliza validate` and `baliza lineage` learn from each model's SQL while the project is
// bound (transform::ValidatedModel): its column lineage (project_lineage.h) and its static type
// problems (type_checks.h) as validation issues at the model's file:line. One parse per model.
// Threads: one at a time (the validator calls it in dependency order).
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

  std::vector<transform::ValidationIssue> operator()(const transform::Node& node,
                                                     const std::string& compiled_sql,
                                                     int prefix_lines, Connection& scratch);
  // A ValidatedModel bound to this object (which must outlive the validation).
  transform::ValidatedModel hook();

  const ProjectLineage& lineage() const { return lineage_; }

 private:
  bool type_checks_;
  ProjectLineage lineage_;
  TypeChecker types_;
};

}  // namespace baliza::lineage
