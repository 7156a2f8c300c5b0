#include "lineage/model_checks.h"

#include <algorithm>

namespace baliza::lineage {

std::vector<transform::ValidationIssue> ModelChecks::operator()(const transform::Node& node,
                                                                const std::string& sql,
                                                                int prefix_lines,
                                                                Connection& scratch) {
  std::vector<transform::ValidationIssue> issues;
  std::optional<ModelShape> shape;
  std::string error;
  try {
    shape = analyze_sql(scratch, sql);
  } catch (const std::exception& e) {
    error = e.what();
  }
  lineage_.add_model(node, shape ? &*shape : nullptr, error, scratch);
  if (!shape || !type_checks_) return issues;
  for (const TypeIssue& t : types_.check(*shape, scratch)) {
    std::size_t upto = std::min(t.location, sql.size());
    long line =
        1 + std::count(sql.begin(), sql.begin() + static_cast<long>(upto), '\n') - prefix_lines;
    std::string where = node.original_file_path;
    if (t.location > 0 && line >= 1) where.append(":").append(std::to_string(line));
    std::string message = "model ";
    message.append(node.name).append(": ").append(t.message);
    issues.push_back({where, message});
  }
  return issues;
}

transform::ValidatedModel ModelChecks::hook() {
  return [this](const transform::Node& n, const std::string& sql, int prefix, Connection& c) {
    return (*this)(n, sql, prefix, c);
  };
}

}  // namespace baliza::lineage
