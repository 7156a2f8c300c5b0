#include "lineage/model_checks.h"

#include <algorithm>

#include "lineage/batch_analysis.h"

namespace baliza::lineage {

std::vector<transform::ValidationIssue> ModelChecks::analyse(Connection& scratch) {
  std::vector<transform::ValidationIssue> issues;
  std::vector<std::string> sqls, errors;
  for (const Pending& p : pending_) sqls.push_back(p.sql);
  std::vector<std::optional<ModelShape>> shapes = analyze_many(scratch, sqls, errors);
  lineage_.preload_catalog(scratch);
  if (type_checks_) types_.preload(scratch);
  for (std::size_t k = 0; k < pending_.size(); ++k) {
    const Pending& p = pending_[k];
    const std::optional<ModelShape>& shape = shapes[k];
    lineage_.add_model(*p.node, shape ? &*shape : nullptr, errors[k], scratch);
    if (!shape || !type_checks_) continue;
    for (const TypeIssue& t : types_.check(*shape, scratch)) {
      std::size_t upto = std::min(t.location, p.sql.size());
      long line = 1 + std::count(p.sql.begin(), p.sql.begin() + static_cast<long>(upto), '\n') -
                  p.prefix_lines;
      std::string where = p.node->original_file_path;
      if (t.location > 0 && line >= 1) where.append(":").append(std::to_string(line));
      std::string message = "model ";
      message.append(p.node->name).append(": ").append(t.message);
      issues.push_back({where, message});
    }
  }
  pending_.clear();
  return issues;
}

transform::ValidatedModel ModelChecks::hook() {
  return [this](const transform::Node& n, const std::string& sql, int prefix, Connection&) {
    pending_.push_back({&n, sql, prefix});
    return std::vector<transform::ValidationIssue>{};
  };
}

transform::ValidationFinished ModelChecks::finish() {
  return [this](Connection& scratch) { return analyse(scratch); };
}

}  // namespace baliza::lineage
