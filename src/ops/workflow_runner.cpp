#include "ops/workflow_runner.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "core/clock.h"
#include "core/error.h"
#include "ops/seed_order.h"
#include "ops/workflow_checks.h"
#include "ops/workflow_clear.h"
#include "ops/workflow_store.h"
#include "transform/compiler.h"
#include "transform/materialize.h"
#include "transform/missing_seeds.h"
#include "transform/relation.h"
#include "transform/run_log.h"
#include "transform/runner.h"
#include "transform/seed_loader.h"
#include "transform/selector.h"
#include "transform/text_util.h"

namespace baliza::ops {
namespace fs = std::filesystem;
using transform::Dag;
using transform::Project;
using transform::ResourceType;

namespace {

using Clock = std::chrono::steady_clock;

// The nodes of `types` a selection picks (empty select: all of them), in topological order.
std::vector<std::size_t> select_of(const Project& project, const Dag& dag, const Step& step,
                                   const std::vector<ResourceType>& types,
                                   std::vector<std::string>* warnings) {
  transform::SelectionRequest request;
  request.select = step.select;
  request.exclude = step.exclude;
  transform::Selection s = transform::select_nodes(project, dag, request);
  if (warnings) warnings->insert(warnings->end(), s.warnings.begin(), s.warnings.end());
  std::vector<std::size_t> out;
  for (std::size_t i : s.indexes) {
    ResourceType t = dag.node(i).resource_type;
    if (std::find(types.begin(), types.end(), t) == types.end()) continue;
    if (dag.node(i).config.materialized == "ephemeral") continue;
    out.push_back(i);
  }
  return out;
}

std::string names_of(const Dag& dag, const std::vector<std::size_t>& nodes, std::size_t limit = 8) {
  std::string out;
  for (std::size_t k = 0; k < nodes.size() && k < limit; ++k)
    out += (k ? ", " : "") + transform::relation_label(dag.node(nodes[k]));
  if (nodes.size() > limit) out += ", ... (" + std::to_string(nodes.size() - limit) + " more)";
  return out;
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

class StepRunner {
 public:
  StepRunner(const Project& project, const Dag& dag, const Workflow& workflow, Connection* conn,
             const WorkflowRunOptions& options)
      : project_(project), dag_(dag), workflow_(workflow), conn_(conn), o_(options) {}

  void run(const Step& step, StepReport& out) {
    switch (step.kind) {
      case StepKind::kClear:
        clear(step, out);
        break;
      case StepKind::kSeed:
        seed(step, out);
        break;
      case StepKind::kBuild:
        build(step, out);
        break;
      case StepKind::kValidate:
        validate(step, out);
        break;
      case StepKind::kRun:
        run_builtin(step, out);
        break;
    }
  }

 private:
  void say(const std::string& line) const {
    if (o_.print) o_.print(line);
  }

  void clear(const Step& step, StepReport& out) {
    std::vector<RelationRef> rels;
    if (conn_) rels = matching_relations(*conn_, step.patterns);
    nlohmann::json list = nlohmann::json::array();
    std::string names;
    for (const RelationRef& r : rels) {
      list.push_back(r.label());
      names += (names.empty() ? "" : ", ") + r.label();
    }
    out.detail = {{"patterns", step.patterns}, {"relations", list}};
    out.rows = static_cast<std::int64_t>(rels.size());
    std::string what =
        plural(rels.size(), "relation") + " matching " + transform::join(step.patterns, ", ");
    if (o_.dry_run) {
      out.message = "would drop " + what;
      for (const RelationRef& r : rels) out.notes.push_back("drop " + r.label());
      return;
    }
    if (!rels.empty() && o_.before_clear) {
      std::string note = o_.before_clear(workflow_, step);
      if (!note.empty()) {
        out.notes.push_back(note);
        out.detail["checkpoint"] = note;
      }
    }
    drop_relations(*conn_, rels);
    out.message = "dropped " + what + (names.empty() ? "" : " (" + names + ")");
  }

  void seed(const Step& step, StepReport& out) {
    std::vector<std::string> warnings;
    std::vector<std::size_t> seeds =
        select_of(project_, dag_, step, {ResourceType::kSeed}, &warnings);
    std::vector<SeedEdge> edges = seed_edges(dag_, seeds, step.depends_on, step.where);
    std::vector<std::size_t> order = order_seeds(dag_, seeds, edges);
    nlohmann::json names = nlohmann::json::array();
    for (std::size_t s : order) names.push_back(dag_.node(s).name);
    out.detail = {{"order", names}};
    for (const std::string& w : warnings) {
      out.notes.push_back("warning: " + w);
      ++out.warnings;
    }
    if (o_.dry_run) {
      out.message = "would load " + plural(order.size(), "seed") +
                    " in this order: " + names_of(dag_, order, 1000);
      return;
    }
    std::unique_ptr<transform::RelationCatalog> catalog;
    if (o_.quick) catalog = transform::RelationCatalog::read(*conn_);
    std::size_t loaded = 0, kept = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
      const transform::Node& node = dag_.node(order[k]);
      std::string label = transform::relation_label(node);
      std::string head = std::to_string(k + 1) + " of " + std::to_string(order.size()) + " ";
      if (catalog &&
          catalog->kind(transform::node_schema(node), transform::node_identifier(node)) ==
              transform::RelationKind::kTable) {
        say(transform::progress_line(head + "KEPT seed " + label, "[quick: already loaded]"));
        ++kept;
        continue;
      }
      auto start = Clock::now();
      try {
        transform::MaterializeResult r = transform::load_seed(*conn_, project_, node);
        double s = std::chrono::duration<double>(Clock::now() - start).count();
        out.rows += std::max<std::int64_t>(r.rows, 0);
        ++loaded;
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.2f", s);
        say(transform::progress_line(
            head + "OK loaded seed " + label,
            "[" + transform::format_count(r.rows) + " rows in " + secs + "s]"));
      } catch (const Error& e) {
        if (e.code() != ExitCode::kFailure) throw;
        say(transform::progress_line(head + "ERROR loading seed " + label, "[ERROR]"));
        out.status = "error";
        out.message = "seed " + node.name + " failed: " + e.what() + " (" + plural(loaded, "seed") +
                      " loaded before it; the seeds after it were not loaded)";
        return;
      }
    }
    out.message = "loaded " + plural(loaded, "seed") + " (" + transform::format_count(out.rows) +
                  " rows)" + (kept ? "; " + std::to_string(kept) + " kept (quick)" : "");
  }

  // The tests whose every parent is selected, as `dbt build -s` takes them.
  void add_tests_of(std::vector<std::size_t>& nodes) const {
    std::set<std::size_t> chosen(nodes.begin(), nodes.end());
    for (std::size_t i = 0; i < dag_.size(); ++i) {
      if (dag_.node(i).resource_type != ResourceType::kTest || chosen.count(i)) continue;
      const auto& parents = dag_.parents(i);
      bool all = !parents.empty();
      for (std::size_t p : parents) all &= chosen.count(p) > 0;
      if (all) nodes.push_back(i);
    }
  }

  transform::RunOptions run_options(bool full_refresh) const {
    transform::RunOptions run;
    run.full_refresh = full_refresh;
    run.build_mode = true;
    run.threads = o_.threads;
    run.connect = o_.connect;
    run.print = o_.print;
    run.interrupts = o_.interrupts;  // Ctrl-C: running statements stop, nothing new starts
    return run;
  }

  void build(const Step& step, StepReport& out) {
    std::vector<std::string> warnings;
    std::vector<std::size_t> nodes = select_of(
        project_, dag_, step,
        {ResourceType::kSeed, ResourceType::kModel, ResourceType::kSnapshot, ResourceType::kTest},
        &warnings);
    for (const std::string& w : warnings) {
      out.notes.push_back("warning: " + w);
      ++out.warnings;
    }
    add_tests_of(nodes);
    nlohmann::json ids = nlohmann::json::array();
    for (std::size_t i : nodes) ids.push_back(dag_.id(i));
    out.detail = {{"nodes", ids}};
    if (o_.dry_run) {
      out.message = "would build " + plural(nodes.size(), "node") +
                    (nodes.empty() ? "" : ": " + names_of(dag_, nodes));
      return;
    }
    std::vector<std::size_t> missing = transform::missing_seed_ancestors(dag_, nodes, *conn_);
    nodes.insert(nodes.begin(), missing.begin(), missing.end());
    transform::RunOptions run = run_options(step.full_refresh);
    if (o_.before_nodes) o_.before_nodes(nodes, run);
    transform::RunSummary summary = transform::run_nodes(project_, dag_, nodes, run);
    if (o_.after_nodes) o_.after_nodes(summary);
    if (o_.record_nodes) {
      transform::record_run(*conn_, project_, dag_, "workflow",
                            o_.command_line + " (step " + step.name + ")", summary);
    }
    std::size_t built = 0;
    for (const transform::NodeResult& r : summary.results) {
      auto idx = dag_.index_of(r.unique_id);
      bool is_test = idx && dag_.node(*idx).resource_type == ResourceType::kTest;
      if (!is_test && r.status == "success") ++built;
      if (!is_test && r.rows_affected > 0) out.rows += r.rows_affected;
      if (r.status == "warn") out.notes.push_back("warning: " + r.unique_id + ": " + r.message);
      if (r.status == "error" || r.status == "fail")
        out.notes.push_back("error: " + r.unique_id + ": " + r.message);
    }
    out.warnings += summary.warn;
    out.message = "built " + plural(built, "node") + ": PASS=" + std::to_string(summary.pass) +
                  " WARN=" + std::to_string(summary.warn) +
                  " ERROR=" + std::to_string(summary.error) +
                  " SKIP=" + std::to_string(summary.skip);
    if (summary.error > 0) out.status = "error";
    if (summary.interrupted) {
      out.status = "interrupted";
      out.message = "interrupted: " + out.message;
    }
  }

  void validate(const Step& step, StepReport& out) {
    nlohmann::json checks = nlohmann::json::array();
    if (o_.dry_run) {
      for (const Check& c : step.checks) {
        bool skip = o_.quick && c.severity != Severity::kError;
        out.notes.push_back(std::string(skip ? "skip (quick) " : "check ") + c.name + " (" +
                            to_string(c.severity) + ")");
      }
      out.message = "would run " + plural(step.checks.size(), "check");
      return;
    }
    CheckContext ctx{project_, dag_, *conn_or_throw(),
                     [this](const std::vector<std::size_t>& tests) {
                       transform::RunOptions run = run_options(false);
                       run.build_mode = false;
                       return transform::run_nodes(project_, dag_, tests, run);
                     }};
    int failed_errors = 0, ran = 0, skipped = 0;
    for (const Check& c : step.checks) {
      std::string sev = to_string(c.severity);
      if (o_.quick && c.severity != Severity::kError) {
        ++skipped;
        checks.push_back({{"check", c.name}, {"severity", sev}, {"status", "skipped"}});
        continue;
      }
      CheckOutcome r = run_check(c, ctx);
      ++ran;
      // The step's rows: what its assertions found wrong (rows returned, failing test rows).
      if (c.kind == Check::Kind::kSql || c.kind == Check::Kind::kTests) out.rows += r.rows;
      std::string status = r.passed                         ? "pass"
                           : c.severity == Severity::kError ? "error"
                           : c.severity == Severity::kWarn  ? "warn"
                                                            : "info";
      checks.push_back({{"check", c.name},
                        {"severity", sev},
                        {"status", status},
                        {"rows", r.rows},
                        {"seconds", r.seconds},
                        {"message", r.message}});
      say(transform::progress_line("check " + c.name + " (" + sev + ")",
                                   r.passed ? "[PASS]" : "[FAIL " + status + "]"));
      if (r.passed) continue;
      out.notes.push_back(status + ": " + c.name + ": " + r.message);
      if (c.severity == Severity::kError) ++failed_errors;
      if (c.severity == Severity::kWarn) ++out.warnings;
    }
    out.detail = {{"checks", checks}};
    out.message = std::to_string(ran) + " of " + plural(step.checks.size(), "check") +
                  " ran: " + std::to_string(failed_errors) + " error(s), " +
                  std::to_string(out.warnings) + " warning(s)" +
                  (skipped ? "; " + std::to_string(skipped) + " warn/info skipped (quick)" : "");
    if (failed_errors > 0)
      out.status = "error";
    else if (out.warnings > 0)
      out.status = "warn";
  }

  void run_builtin(const Step& step, StepReport& out) {
    if (!step.sql.empty()) {
      transform::Compiler compiler(project_);
      std::string sql = compiler.render_text(step.sql, step.where + " (sql)", nullptr);
      out.detail = {{"sql", sql}};
      if (o_.dry_run) {
        out.message = "would run SQL (" + std::to_string(sql.size()) + " bytes)";
        return;
      }
      try {
        conn_->execute(sql);
      } catch (const Error& e) {
        if (e.code() != ExitCode::kFailure) throw;
        out.status = "error";
        out.message = std::string("SQL failed: ") + e.what();
        return;
      }
      out.message = "ran SQL";
      return;
    }
    nlohmann::json files = nlohmann::json::array();
    for (const ExportSpec& e : step.exports) {
      fs::path path = fs::path(e.path).is_absolute() ? fs::path(e.path) : o_.project_dir / e.path;
      std::string rel = resolve_relation(project_, e.relation);
      if (o_.dry_run) {
        out.notes.push_back("export " + e.relation + " -> " + path.string() + " (" + e.format +
                            ")");
        continue;
      }
      try {
        fs::create_directories(path.parent_path());
        fs::path tmp = path;
        tmp += ".tmp-" + random_id().substr(0, 8);
        auto n = conn_->scalar("SELECT count(*) FROM " + rel);
        conn_->execute("COPY (SELECT * FROM " + rel + ") TO " + quote_literal(tmp.string()) +
                       " (FORMAT " + e.format + (e.format == "csv" ? ", HEADER true" : "") + ")");
        fs::rename(tmp, path);
        std::int64_t rows = n ? std::stoll(*n) : 0;
        out.rows += rows;
        files.push_back({{"relation", e.relation},
                         {"path", path.string()},
                         {"rows", rows},
                         {"bytes", static_cast<std::int64_t>(fs::file_size(path))}});
      } catch (const Error& err) {
        if (err.code() != ExitCode::kFailure) throw;
        out.status = "error";
        out.message = "export of " + e.relation + " failed: " + err.what();
        out.detail = {{"exports", files}};
        return;
      } catch (const fs::filesystem_error& err) {
        throw environment_error("export of " + e.relation + " to " + path.string() +
                                " failed: " + err.what());
      }
    }
    out.detail = {{"exports", files}};
    out.message = (o_.dry_run ? "would export " : "exported ") +
                  plural(step.exports.size(), "relation") +
                  (o_.dry_run ? "" : " (" + transform::format_count(out.rows) + " rows)");
  }

  Connection* conn_or_throw() {
    if (!conn_) throw usage_error("workflow " + workflow_.name + ": no database to run on");
    return conn_;
  }

  const Project& project_;
  const Dag& dag_;
  const Workflow& workflow_;
  Connection* conn_;
  const WorkflowRunOptions& o_;
};

}  // namespace

WorkflowReport run_workflow(const Project& project, const Dag& dag, const Workflow& workflow,
                            Connection* conn, const WorkflowRunOptions& o) {
  if (!conn && !o.dry_run) throw usage_error("workflow " + workflow.name + ": no database");
  WorkflowReport report;
  report.run_id = random_id();
  report.workflow = workflow.name;
  report.project = o.project_label;
  report.quick = o.quick;
  report.dry_run = o.dry_run;
  report.started_at = utc_timestamp_now();
  auto started = Clock::now();
  bool store = o.store && !o.dry_run;
  if (store) store_run_start(*conn, report, o.command_line);
  StepRunner runner(project, dag, workflow, conn, o);
  std::string failed_step;
  auto interrupted = [&o] { return o.interrupts && o.interrupts->load() > 0; };
  for (std::size_t i = 0; i < workflow.steps.size(); ++i) {
    const Step& step = workflow.steps[i];
    StepReport out;
    out.position = static_cast<int>(i) + 1;
    out.name = step.name;
    out.kind = to_string(step.kind);
    out.status = o.dry_run ? "planned" : "ok";
    std::string skip;
    if (o.only && *o.only != i)
      skip = "not the --only step";
    else if (o.from && i < *o.from)
      skip = "before the --from step";
    else if (interrupted())
      skip = "interrupted (Ctrl-C or SIGTERM)";
    else if (!failed_step.empty())
      skip = "step " + failed_step + " failed";
    else if (o.quick && step.kind == StepKind::kClear)
      skip = "--quick keeps existing relations";
    else if (o.quick && !step.quick)
      skip = "quick: false";
    if (!skip.empty()) {
      out.status = "skipped";
      out.message = skip;
    } else {
      if (o.print && !o.dry_run)
        o.print("step " + std::to_string(i + 1) + "/" + std::to_string(workflow.steps.size()) +
                " " + step.name + " (" + out.kind + ")");
      out.started_at = utc_timestamp_now();
      auto t0 = Clock::now();
      try {
        runner.run(step, out);
      } catch (...) {
        if (store) {
          out.status = "error";
          out.finished_at = utc_timestamp_now();
          out.message = "stopped by an error (see the message above)";
          report.status = "error";
          report.steps.push_back(out);
          report.finished_at = out.finished_at;
          try {
            store_step(*conn, report, out);
            store_run_end(*conn, report);
          } catch (const std::exception&) {
          }
        }
        throw;
      }
      out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      out.finished_at = utc_timestamp_now();
      if (out.status == "ok" && out.warnings > 0) out.status = "warn";
      if (out.status == "error") failed_step = step.name;
    }
    // An interrupt stops the run where it is: a build step's nodes stop (the step is
    // `interrupted`); clear, seed, validate and run steps finish what they do, and no step
    // starts after them.
    bool stopped_here = out.status == "interrupted" ||
                        (out.status == "skipped" && interrupted() && report.status != "error");
    if (stopped_here) {
      report.status = "interrupted";
    } else if (out.status == "error")
      report.status = "error";
    else if (out.status == "warn" && report.status == "ok")
      report.status = "warn";
    if (out.warnings > 0 && report.status == "ok") report.status = "warn";
    if (store) store_step(*conn, report, out);
    report.steps.push_back(std::move(out));
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  report.finished_at = utc_timestamp_now();
  if (store) store_run_end(*conn, report);
  return report;
}

std::vector<std::string> produced_relations(const Project& project, const Dag& dag,
                                            const Workflow& workflow) {
  std::set<std::string> out;
  for (const Step& step : workflow.steps) {
    std::vector<std::size_t> nodes;
    if (step.kind == StepKind::kSeed) {
      nodes = select_of(project, dag, step, {ResourceType::kSeed}, nullptr);
    } else if (step.kind == StepKind::kBuild) {
      nodes =
          select_of(project, dag, step,
                    {ResourceType::kSeed, ResourceType::kModel, ResourceType::kSnapshot}, nullptr);
    }
    for (std::size_t i : nodes) out.insert(transform::relation_label(dag.node(i)));
  }
  return {out.begin(), out.end()};
}

}  // namespace baliza::ops
