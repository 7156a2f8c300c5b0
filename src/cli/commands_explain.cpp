// trace, impact, reconcile: explaining the data of a built project (src/lineage).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include "cli/context.h"
#include "cli/project_locator.h"
#include "core/error.h"
#include "lineage/explain.h"
#include "lineage/reconcile.h"
#include "lineage/row_capture.h"
#include "ops/explain_request.h"
#include "transform/compiler.h"
#include "transform/project.h"
#include "transform/relation.h"

namespace baliza::cli {
namespace {

transform::Project load_explained_project(const std::string& project_dir) {
  if (auto dir = locate_project(project_dir)) return transform::load_project(*dir);
  return transform::load_project_files(transform::embedded_project_files("pncp"), "embedded:pncp");
}

// The project's root for an explain request (ops/explain_request.h): an absolute folder, or the
// built-in PNCP project.
std::string explained_project_root(const std::string& project_dir) {
  if (auto dir = locate_project(project_dir))
    return std::filesystem::absolute(*dir).lexically_normal().string();
  return "embedded:pncp";
}

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

struct ExplainFlags {
  std::string project_dir;
  std::string format = "text";
  int limit = 5;
};

void add_common(CLI::App* cmd, ExplainFlags& f) {
  cmd->add_option("--project-dir", f.project_dir,
                  "Project folder (default: nearest baliza.yml, else built-in PNCP)");
  cmd->add_option("--format", f.format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--limit", f.limit, "Sample rows shown per level")->check(CLI::NonNegativeNumber);
}

}  // namespace

void add_explain_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static ExplainFlags trace_flags, impact_flags, reconcile_flags;
  static std::string model, where, key;
  static bool show_json = false;
  auto* trace = app.add_subcommand(
      "trace", "Rows of a model, the input rows that produced them, down to the raw API page");
  trace->add_option("model", model, "Model (or seed) name")->required();
  trace->add_option("--where", where, "SQL predicate over the model's columns");
  trace->add_option("--key", key, "Value of the model's unique key");
  trace->add_flag("--show-json", show_json, "Print each raw JSON record");
  add_common(trace, trace_flags);
  trace->callback([&ctx, &exit_code] {
    if (where.empty() == key.empty())
      throw usage_error("trace needs exactly one of --where or --key");
    ops::ExplainRequest request;
    request.op = "trace";
    request.project = explained_project_root(trace_flags.project_dir);
    request.model = model;
    request.where = where;
    request.key = key;
    request.limit = trace_flags.limit;
    request.show_json = show_json;
    // Through the holder's read socket while another process holds the database (db/reader.h).
    ops::ExplainAnswer a = ops::explain(ctx.reader(), request);
    print(trace_flags.format == "json" ? a.result.dump(2) + "\n" : a.text);
    exit_code = a.exit_code;
  });

  static lineage::ImpactStart start;
  auto* impact = app.add_subcommand(
      "impact", "Downstream rows that derive from a raw page or from rows of a relation");
  impact->add_option("--page", start.page, "sha256 (or unique prefix) of a raw page");
  impact->add_option("--relation", start.relation,
                     "Model, seed or schema.table whose rows to follow");
  impact->add_option("--where", start.where,
                     "SQL predicate over --relation's columns (a key, a seed row)");
  impact->add_option("--column", start.column,
                     "Only what derives from this column of --relation (with --page: a JSON "
                     "field of the page's records, e.g. valorGlobal)");
  add_common(impact, impact_flags);
  impact->callback([&ctx, &exit_code] {
    ops::ExplainRequest request;
    request.op = "impact";
    request.project = explained_project_root(impact_flags.project_dir);
    request.page = start.page;
    request.model = start.relation;
    request.where = start.where;
    request.column = start.column;
    request.limit = impact_flags.limit;
    ops::ExplainAnswer a = ops::explain(ctx.reader(), request);
    print(impact_flags.format == "json" ? a.result.dump(2) + "\n" : a.text);
    exit_code = a.exit_code;
  });

  static std::string capture_model;
  static ExplainFlags capture_flags;
  auto* capture = app.add_subcommand(
      "capture",
      "Record now which input rows make each row of a built model (lineage.row_capture), as "
      "builds do for models with lineage_capture=true");
  capture->add_option("model", capture_model, "Model name")->required();
  capture->add_option("--project-dir", capture_flags.project_dir,
                      "Project folder (default: nearest baliza.yml, else built-in PNCP)");
  capture->callback([&ctx, &exit_code] {
    transform::Project project = load_explained_project(capture_flags.project_dir);
    const transform::Node* n = project.find_ref(capture_model);
    if (!n || n->resource_type != transform::ResourceType::kModel)
      throw usage_error("unknown model '" + capture_model + "' (baliza ls lists the models)");
    transform::Compiler compiler(project);
    lineage::ModelShape shape = lineage::analyze_sql(ctx.db(), compiler.compile(*n, false).sql);
    lineage::RunCapture r;
    r.models.push_back(lineage::capture_model(
        ctx.db(), shape, n->name, {transform::node_schema(*n), transform::node_identifier(*n)},
        "capture"));
    print(r.describe());
    exit_code = r.models[0].status == "captured" ? 0 : 1;
  });

  static lineage::ReconcileOptions rec;
  auto* reconcile = app.add_subcommand(
      "reconcile", "Check the containment laws on the data of built models; list offending rows");
  reconcile->add_option("model", rec.model, "Model name (default: every built model)");
  reconcile->add_option("--sample", rec.sample, "Recompute only N sampled rows per model")
      ->check(CLI::NonNegativeNumber);
  add_common(reconcile, reconcile_flags);
  reconcile->callback([&ctx, &exit_code] {
    transform::Project project = load_explained_project(reconcile_flags.project_dir);
    rec.limit = reconcile_flags.limit > 0 ? reconcile_flags.limit : 10;
    lineage::ReconcileResult r = lineage::reconcile(ctx.db(), project, rec);
    print(reconcile_flags.format == "json" ? r.to_json().dump(2) + "\n" : r.to_text());
    exit_code = r.exit_code();
  });
}

}  // namespace baliza::cli
