#include "lineage/built_lineage.h"

#include <fstream>
#include <map>

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
  for (std::size_t i : dag.topological_order()) {
    const transform::Node& n = dag.node(i);
    if (n.resource_type != transform::ResourceType::kModel) continue;
    if (lineage.find(n.unique_id) != nullptr) continue;
    auto it = compiled.find(n.unique_id);
    if (it != compiled.end()) lineage.add_model(n, *it->second, conn);
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
