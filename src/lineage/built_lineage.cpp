#include "lineage/built_lineage.h"

#include <fstream>
#include <map>
#include <optional>
#include <vector>

#include "core/error.h"
#include "transform/artifacts.h"

namespace baliza::lineage {

ProjectLineage built_lineage(const transform::Project& project, const transform::Dag& dag,
                             const transform::RunSummary& summary, Connection& conn,
                             ProjectLineage known) {
  (void)project;
  std::map<std::string, const std::string*> compiled;
  for (const transform::NodeResult& r : summary.results)
    if (r.status == "success" && !r.compiled_code.empty()) compiled[r.unique_id] = &r.compiled_code;
  ProjectLineage lineage = std::move(known);
  std::vector<const transform::Node*> todo;  // in dependency order
  std::vector<std::string> sqls;
  for (std::size_t i : dag.topological_order()) {
    const transform::Node& n = dag.node(i);
    if (n.resource_type != transform::ResourceType::kModel) continue;
    if (lineage.find(n.unique_id) != nullptr) continue;
    auto it = compiled.find(n.unique_id);
    if (it == compiled.end()) continue;
    todo.push_back(&n);
    sqls.push_back(*it->second);
  }
  // Parsed together (one DuckDB query per chunk), analysed and added in dependency order.
  std::vector<ParsedTree> parsed = parse_sqls(conn, sqls);
  for (std::size_t k = 0; k < todo.size(); ++k) {
    if (!parsed[k].tree) {
      lineage.add_model(*todo[k], nullptr, parsed[k].error, conn);
      continue;
    }
    std::optional<ModelShape> shape;
    std::string error;
    try {
      shape = analyze(std::move(*parsed[k].tree));
    } catch (const std::exception& e) {
      error = e.what();
    }
    lineage.add_model(*todo[k], shape ? &*shape : nullptr, error, conn);
  }
  return lineage;
}

void annotate_manifest_file(const std::filesystem::path& manifest, const ProjectLineage& lineage) {
  std::ifstream in(manifest, std::ios::binary);
  if (!in) return;  // no manifest was written: nothing to annotate
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  in.close();
  if (j.is_discarded()) {
    throw environment_error(manifest.string() +
                            " is not valid JSON; rerun the build to rewrite it");
  }
  lineage.annotate_manifest(j);
  transform::write_json_file(manifest, j);
}

}  // namespace baliza::lineage
