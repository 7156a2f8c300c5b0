// `baliza dbt source freshness`: dbt's freshness check of the sources that have a policy
// (transform/source_freshness.h), printed as dbt prints it, written to target/sources.json
// (or --output), exit 1 when any source is stale past error_after or could not be checked.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/transform_actions.h"
#include "core/clock.h"
#include "core/error.h"
#include "transform/artifacts.h"
#include "transform/dag.h"
#include "transform/relation.h"
#include "transform/selector.h"
#include "transform/source_freshness.h"

namespace baliza::cli {
namespace fs = std::filesystem;
using namespace baliza::transform;

namespace {

std::string dotted(std::string text, std::size_t width) {
  text += ' ';
  while (text.size() < width) text += '.';
  return text;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", s);
  return buf;
}

}  // namespace

int run_source_freshness(Context& ctx, const TransformOptions& o, const std::string& output) {
  LoadedProject p = load_transform_project(ctx, o);
  Dag dag = Dag::build(p.project);
  SelectionRequest request;
  request.select = o.select;
  request.exclude = o.exclude;
  Selection selection = select_nodes(p.project, dag, request);
  for (const std::string& w : selection.warnings) ctx.say("warning: " + w);
  std::vector<const Node*> sources;
  for (std::size_t i : selection.indexes) {
    const Node& n = dag.node(i);
    if (n.resource_type != ResourceType::kSource) continue;
    if (!has_freshness(n.source_extra.value("freshness", nlohmann::json()))) continue;
    sources.push_back(&n);
  }
  std::string invocation = random_id();
  std::string started = utc_timestamp_now();
  auto start = std::chrono::steady_clock::now();
  std::vector<FreshnessResult> results;
  if (sources.empty()) {
    ctx.say(
        "Nothing to do: no selected source has a freshness policy (freshness: with warn_after or "
        "error_after, and a loaded_at_field)");
  } else {
    Settings settings = project_db_settings(ctx, p);
    auto database = open_database(settings, ctx.options().wait);
    Connection conn(database);
    apply_project_target(ctx, conn, p);
    const std::size_t total = sources.size();
    for (std::size_t k = 0; k < total; ++k) {
      const Node& n = *sources[k];
      std::string prefix = std::to_string(k + 1) + " of " + std::to_string(total) + " ";
      std::string what = "freshness of " + n.source_name + "." + n.name;
      std::printf("%s[RUN]\n", dotted(prefix + "START " + what, 72).c_str());
      std::fflush(stdout);
      FreshnessResult r = check_source_freshness(conn, n, relation_sql(n));
      std::string label = r.status == "pass"    ? "PASS"
                          : r.status == "warn"  ? "WARN"
                          : r.status == "error" ? "ERROR STALE"
                                                : "ERROR";
      std::printf("%s[%s in %s]\n", dotted(prefix + label + " " + what, 72).c_str(), label.c_str(),
                  seconds_text(r.execution_time).c_str());
      if (r.status == "runtime error") std::printf("  Runtime Error: %s\n", r.error.c_str());
      results.push_back(std::move(r));
    }
  }
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fs::path out = output.empty() ? p.target / "sources.json" : fs::path(output);
  if (out.is_relative() && !output.empty()) out = fs::current_path() / out;
  write_json_file(out, sources_json(results, invocation, iso_timestamp(started), elapsed));
  int pass = 0, warn = 0, error = 0, runtime = 0;
  for (const FreshnessResult& r : results) {
    pass += r.status == "pass";
    warn += r.status == "warn";
    error += r.status == "error";
    runtime += r.status == "runtime error";
  }
  std::printf("\nFinished running %zu source freshness check(s) in %s; wrote %s\n", results.size(),
              seconds_text(elapsed).c_str(), out.string().c_str());
  std::printf("Done. PASS=%d WARN=%d ERROR STALE=%d ERROR=%d TOTAL=%zu\n", pass, warn, error,
              runtime, results.size());
  std::fflush(stdout);
  return error + runtime > 0 ? static_cast<int>(ExitCode::kFailure) : 0;
}

}  // namespace baliza::cli
