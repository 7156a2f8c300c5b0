#include "transform/project_build.h"

#include <numeric>
#include <set>

#include "transform/artifacts.h"
#include "transform/dag.h"
#include "transform/relation.h"
#include "transform/run_log.h"
#include "transform/selector.h"
#include "transform/sql_dependencies.h"

namespace baliza::transform {

RunSummary build_project(const Project& project, const ProjectBuildOptions& options) {
  Dag dag = Dag::build(project);
  add_plain_sql_dependencies(project, dag, *options.main);
  // Schemas first, once: workers creating the same schema at once conflict in DuckDB's catalog.
  std::set<std::string> schemas;
  for (const Node& node : project.nodes) {
    bool built =
        node.resource_type == ResourceType::kModel || node.resource_type == ResourceType::kSeed;
    if (built && node.config.materialized != "ephemeral") schemas.insert(node_schema(node));
  }
  for (const std::string& schema : schemas) {
    options.main->execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema));
  }
  std::vector<std::size_t> all(dag.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  if (!options.select.empty())
    all = select_nodes(project, dag, {options.select, {}, nullptr}).indexes;

  RunOptions run;
  run.full_refresh = options.full_refresh;
  run.build_mode = true;
  run.threads = options.threads;
  run.connect = [db = options.database] { return std::make_unique<Connection>(db); };
  run.print = options.print;
  if (options.observe) options.observe(dag, all, run);
  RunSummary summary = run_nodes(project, dag, all, run);
  if (options.observed) options.observed(summary);

  std::map<std::string, std::string> compiled;
  for (const NodeResult& r : summary.results) {
    if (!r.compiled_code.empty()) compiled[r.unique_id] = r.compiled_code;
  }
  write_json_file(options.target / "manifest.json",
                  manifest_json(project, dag, compiled, summary.run_id));
  write_json_file(options.target / "run_results.json",
                  run_results_json(summary, options.command_line, &project));
  record_run(*options.main, project, dag, "build", options.command_line, summary);
  return summary;
}

}  // namespace baliza::transform
