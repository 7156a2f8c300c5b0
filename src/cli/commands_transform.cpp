// Commands of the transformation engine: transform, seed, test, build, ls, compile, validate.
//
// Project discovery: --project-dir; else the nearest folder at or above the current one with
// baliza.yml and a models/ folder; else the built-in PNCP project. The database is the one of
// that project's baliza.yml unless --db or BALIZA_DB says otherwise. Artifacts go to
// <project>/target (the current folder's target/ for the built-in project).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/context.h"
#include "cli/interrupts.h"
#include "cli/json_log.h"
#include "cli/period_build.h"
#include "cli/period_options.h"
#include "cli/project_locator.h"
#include "cli/transform_actions.h"
#include "core/clock.h"
#include "core/error.h"
#include "db/migrations.h"
#include "db/payload_functions.h"
#include "lineage/built_lineage.h"
#include "lineage/model_checks.h"
#include "lineage/openlineage_models.h"
#include "lineage/project_lineage.h"
#include "lineage/row_capture.h"
#include "lineage/run_accounting.h"
#include "ops/checkpoint.h"
#include "ops/openlineage_setup.h"
#include "transform/artifacts.h"
#include "transform/catalog.h"
#include "transform/compiler.h"
#include "transform/data_tests.h"
#include "transform/dbt_naming.h"
#include "transform/defer.h"
#include "transform/estimate.h"
#include "transform/missing_seeds.h"
#include "transform/project_files.h"
#include "transform/relation.h"
#include "transform/run_log.h"
#include "transform/runner.h"
#include "transform/selector.h"
#include "transform/sql_dependencies.h"
#include "transform/validate.h"

namespace baliza::cli {
namespace fs = std::filesystem;
using namespace baliza::transform;

namespace {

LoadOptions load_options_for(const TransformOptions& o) {
  LoadOptions load_options;
  if (!o.vars.empty()) {
    load_options.cli_vars = nlohmann::json::parse(o.vars, nullptr, false);
    if (!load_options.cli_vars.is_object()) {
      throw usage_error("--vars must be a JSON object such as '{\"start\": \"2024-01-01\"}'; got " +
                        o.vars);
    }
  }
  if (o.period.given()) {
    // --mes and friends set the period vars; an explicit --vars value wins.
    nlohmann::json period = period_vars(o.period.resolve());
    period.update(load_options.cli_vars);
    load_options.cli_vars = std::move(period);
  }
  return load_options;
}

bool database_given(Context& ctx) {
  const char* env = std::getenv("BALIZA_DB");
  return ctx.options().db.has_value() || (env != nullptr && *env != '\0');
}

Settings settings_for(Context& ctx, const LoadedProject& p) {
  if (p.dir.empty()) return ctx.settings();
  if (p.dbt) {
    Settings s = resolve_settings(ctx.options().db, std::nullopt);
    if (s.db_source == "default") {
      s.db_path = p.dbt->path;
      s.db_source = p.dbt->profiles_file.empty() ? "profile" : p.dbt->profiles_file;
    }
    return s;
  }
  return resolve_settings(ctx.options().db, find_config_file(p.dir));
}

Selection select(const Project& project, const Dag& dag, const TransformOptions& o,
                 std::vector<ResourceType> types, Context& ctx) {
  std::map<std::string, std::string> previous;
  SelectionRequest request;
  request.select = o.select;
  request.exclude = o.exclude;
  if (!o.state.empty()) {
    fs::path state = o.state;
    if (fs::is_directory(state)) state /= "manifest.json";
    previous = read_state_checksums(state);
    request.previous_state = &previous;
  }
  if (!o.resource_types.empty()) {
    types.clear();
    for (const std::string& t : o.resource_types) {
      auto parsed = parse_resource_type(t);
      if (!parsed)
        throw usage_error("unknown --resource-type '" + t + "'; use model, seed, test or source");
      types.push_back(*parsed);
    }
  }
  Selection s = select_nodes(project, dag, request);
  for (const std::string& w : s.warnings) ctx.say("warning: " + w);
  Selection out;
  for (std::size_t k = 0; k < s.indexes.size(); ++k) {
    ResourceType t = dag.node(s.indexes[k]).resource_type;
    if (std::find(types.begin(), types.end(), t) == types.end()) continue;
    out.indexes.push_back(s.indexes[k]);
    out.unique_ids.push_back(s.unique_ids[k]);
  }
  return out;
}

// SQL functions are registered in the database's catalog, so once, on the main connection.
std::unique_ptr<Connection> connect(const std::shared_ptr<Database>& db) {
  return std::make_unique<Connection>(db);
}

std::string command_line(const std::string& command, const TransformOptions& o) {
  std::string line = "baliza " + command;
  for (const auto& s : o.select) line += " -s '" + s + "'";
  for (const auto& s : o.exclude) line += " --exclude '" + s + "'";
  if (o.full_refresh) line += " --full-refresh";
  if (o.fail_fast) line += " --fail-fast";
  return line;
}

// Profile settings (SET GLOBAL) and extensions of a dbt target. Extensions that are not built
// in cannot be downloaded here: a warning says so, and the run goes on.
void apply_target_settings(Context& ctx, Connection& conn, const DbtTarget& t) {
  for (const auto& [key, value] : t.settings) {
    conn.execute("SET GLOBAL " + quote_identifier(key) + " = " + quote_literal(value));
  }
  for (const std::string& ext : t.extensions) {
    try {
      conn.execute("LOAD " + quote_identifier(ext));
    } catch (const std::exception& e) {
      ctx.say("warning: extension '" + ext + "' of target " + t.target_name +
              " is not available offline (" + e.what() + "); models that use it will fail");
    }
  }
}

int threads_for(const TransformOptions& o, const LoadedProject& p) {
  if (o.threads > 0) return o.threads;
  return p.dbt ? p.dbt->threads : 4;
}

}  // namespace

Settings project_db_settings(Context& ctx, const LoadedProject& p) {
  return settings_for(ctx, p);
}

void apply_project_target(Context& ctx, Connection& conn, const LoadedProject& p) {
  if (p.dbt) apply_target_settings(ctx, conn, *p.dbt);
}

int project_threads(const TransformOptions& o, const LoadedProject& p) {
  return threads_for(o, p);
}

LoadedProject load_transform_project(Context& ctx, const TransformOptions& o) {
  LoadOptions load_options = load_options_for(o);
  if (std::optional<fs::path> dir = locate_project(o.project_dir)) {
    // A dbt project's target first: dbt_project.yml's config values may read it.
    std::optional<DbtTarget> dbt;
    if (ProjectSettings settings = read_project_settings(*dir); settings.dbt) {
      ProfileRequest request{settings.profile, o.dbt_target, o.profiles_dir, *dir,
                             database_given(ctx)};
      dbt = resolve_dbt_target(request);
      load_options.target = dbt->to_json();
    }
    LoadedProject p{load_project(*dir, load_options), *dir, *dir / "target", std::move(dbt)};
    if (p.project.settings.dbt) {
      apply_dbt_naming(p.project, *p.dbt);
      p.target = *dir / p.project.settings.target_path;
    }
    return p;
  }
  std::vector<ProjectFile> files = embedded_project_files("pncp");
  bool any_model = false;
  for (const ProjectFile& f : files) any_model |= f.path.rfind("models/", 0) == 0;
  if (files.empty() || !any_model) {
    throw usage_error("no project: no dbt_project.yml, nor baliza.yml with a models/ folder, in " +
                      fs::current_path().string() +
                      " or its parents, and the built-in PNCP project has no models yet; run "
                      "inside a project or pass --project-dir");
  }
  return {load_project_files(std::move(files), "embedded:pncp", load_options), fs::path(),
          fs::current_path() / "target", std::nullopt};
}

// What the run did, for its notification (cli/run_notifier.h).
void note_outcome(Context& ctx, const RunSummary& summary) {
  ctx.count("ok", summary.pass);
  ctx.count("warned", summary.warn);
  ctx.count("failed", summary.error);
  ctx.count("skipped", summary.skip);
  for (const NodeResult& r : summary.results) {
    if (r.status != "error" && r.status != "fail") continue;
    ctx.record(true, r.unique_id + ": " + r.message.substr(0, r.message.find('\n')));
  }
}

// transform, seed, test, build.
int run_command(Context& ctx, const TransformOptions& o, const std::string& command,
                std::vector<ResourceType> types) {
  std::unique_ptr<JsonLog> json_log;
  if (o.log_format == "json") {
    json_log = std::make_unique<JsonLog>(random_id());
    json_log->event("MainReportVersion", "info", "Running with baliza " BALIZA_VERSION);
  }
  // Messages go to stderr as text, or to stdout as JSON events with --log-format json.
  auto say = [&](const std::string& line) {
    if (json_log) {
      json_log->line(line);
    } else {
      ctx.say(line);
    }
  };
  LoadedProject p = load_transform_project(ctx, o);
  say(describe_project(p.dir.empty() ? std::nullopt : std::optional<fs::path>(p.dir)));
  for (const std::string& w : p.project.warnings) say("warning: " + w);
  Dag dag = Dag::build(p.project);
  Settings settings = settings_for(ctx, p);
  auto database = open_database(settings, ctx.options().wait);
  auto read_server = serve_reads(database);
  auto main_conn = connect(database);
  // A dbt project's database holds only what the project builds: no Baliza schemas.
  if (!p.dbt) apply_migrations(*main_conn);
  if (p.dbt) apply_target_settings(ctx, *main_conn, *p.dbt);
  register_payload_functions(*main_conn, settings.max_payload_bytes);
  add_plain_sql_dependencies(p.project, dag, *main_conn);
  Selection selection = select(p.project, dag, o, std::move(types), ctx);
  if (o.full_refresh) {
    if (auto c =
            ops::checkpoint_before(*main_conn, ops::checkpoint_policy(settings), "full-refresh")) {
      ctx.say("checkpoint " + std::to_string(c->id) +
              " taken before --full-refresh (`baliza "
              "rollback --to-checkpoint " +
              std::to_string(c->id) + "` undoes it)");
    }
  }
  if (o.defer && command != "seed") {
    fs::path state = o.state;
    if (fs::is_directory(state)) state /= "manifest.json";
    std::vector<std::string> deferred =
        apply_deferral(p.project, dag, selection.indexes, {state, o.favor_state}, *main_conn);
    say("deferring " + std::to_string(deferred.size()) + " unselected node" +
        (deferred.size() == 1 ? "" : "s") + " to " + state.string() +
        (o.favor_state ? " (--favor-state)" : " (those missing from this database)"));
  }
  if (command != "seed") {
    // Seeds the selected nodes read that were never loaded (a new database after `extract`):
    // loaded first, said so, instead of "Table ... does not exist" deep in a model.
    std::vector<std::size_t> seeds = missing_seed_ancestors(dag, selection.indexes, *main_conn);
    std::erase_if(seeds, [&](std::size_t i) { return p.project.deferred.count(dag.id(i)) > 0; });
    std::string names;
    for (std::size_t i : seeds) names += (names.empty() ? "" : ", ") + relation_label(dag.node(i));
    // Seeds have no parents: in front, the selection stays in topological order.
    std::vector<std::string> ids;
    for (std::size_t i : seeds) ids.push_back(dag.id(i));
    selection.indexes.insert(selection.indexes.begin(), seeds.begin(), seeds.end());
    selection.unique_ids.insert(selection.unique_ids.begin(), ids.begin(), ids.end());
    if (!seeds.empty()) {
      ctx.say("loading " + std::to_string(seeds.size()) + " seed" + (seeds.size() == 1 ? "" : "s") +
              " the selected models read and the database does not have yet: " + names +
              " (`baliza seed` reloads every seed)");
    }
  }

  RunOptions run;
  run.full_refresh = o.full_refresh;
  run.fail_fast = o.fail_fast;
  run.build_mode = command == "build";
  run.store_failures = o.store_failures;
  run.warn_error = o.warn_error;
  run.event_time_start = o.event_time_start;
  run.event_time_end = o.event_time_end;
  run.retry_batches = o.retry_batches;
  run.threads = threads_for(o, p);
  run.connect = [&] { return connect(database); };
  run.print = say;
  // Ctrl-C: running statements are interrupted, nothing new starts, exit 130.
  InterruptGuard interrupt_guard;
  run.interrupts = &interrupt_count();
  // OpenLineage: the command's run and one run per model, seed and snapshot it executes.
  ops::CommandEvents events(settings, p.project.name(), command);
  std::unique_ptr<lineage::ModelEvents> model_events;
  if (events.enabled()) {
    model_events = std::make_unique<lineage::ModelEvents>(
        events.client(), p.project, dag, selection.indexes, settings.db_path, events.parent(),
        [&database] { return connect(database); });
    model_events->attach(run);
  }
  if (json_log) {
    // After the OpenLineage observers: both see every node.
    auto start = run.on_node_start;
    auto finish = run.on_node_finish;
    run.on_node_start = [&, start](const Node& n) {
      if (start) start(n);
      json_log->node_start(n);
    };
    run.on_node_finish = [&, finish](const Node& n, const NodeResult& r) {
      if (finish) finish(n, r);
      json_log->node_finish(n, r);
    };
  }
  RunSummary summary = run_nodes(p.project, dag, selection.indexes, run);
  if (json_log) json_log->command_completed(summary.exit_code() == 0, summary.elapsed);
  lineage::ProjectLineage known;
  if (model_events) {
    model_events->close();
    known = model_events->take_lineage();
  }
  if (summary.interrupted)
    ctx.say(
        "interrupted (Ctrl-C): the nodes that had not finished were "
        "stopped or skipped; rerun the command to build them");
  note_outcome(ctx, summary);

  std::map<std::string, std::string> compiled;
  for (const NodeResult& r : summary.results)
    if (!r.compiled_code.empty()) compiled[r.unique_id] = r.compiled_code;
  std::string line = command_line(command, o);
  nlohmann::json manifest = manifest_json(p.project, dag, compiled, summary.run_id);
  // Column lineage of what was built: lineage.columns and `lineage` per manifest column (the
  // models the events already analysed are not analysed again).
  lineage::ProjectLineage columns =
      lineage::built_lineage(p.project, dag, summary, *main_conn, std::move(known));
  // A dbt project's database holds only what the project builds: no lineage.columns there.
  if (!p.dbt) columns.store(*main_conn);
  columns.annotate_manifest(manifest);
  write_json_file(p.target / "manifest.json", manifest);
  nlohmann::json results = run_results_json(summary, line, &p.project);
  results["args"]["which"] = command;  // what `baliza dbt retry` re-runs
  write_json_file(p.target / "run_results.json", results);
  // A dbt project's database holds only what the project builds: no run log, no ledger tables.
  int exit_code = summary.exit_code();
  if (!p.dbt) {
    record_run(*main_conn, p.project, dag, command, line, summary);
    // Record accounting of every model this run built; an equation that does not hold (or an
    // error threshold crossed) fails the run.
    lineage::RunAccounting accounting = lineage::account_run(*main_conn, p.project, dag, summary);
    lineage::record_accounting(*main_conn, accounting);
    // Reverse-join capture of the models that opted in (lineage_capture), after the ledger.
    std::string report = lineage::describe_accounting(accounting) +
                         lineage::capture_run(*main_conn, p.project, dag, summary).describe();
    if (!report.empty()) ctx.say(report);
    if (!summary.interrupted) exit_code = std::max(exit_code, accounting.exit_code());
  }
  std::string events_line = events.finish(exit_code);
  if (!events_line.empty()) std::printf("%s\n", events_line.c_str());
  return exit_code;
}

namespace {

// A Dag with plain-SQL edges, found with a scratch in-memory DuckDB (no writes anywhere).
Dag offline_dag(const Project& project) {
  Dag dag = Dag::build(project);
  auto scratch = Database::open(":memory:", {.threads = "1"});  // parsing only: no workers
  Connection conn(scratch);
  add_plain_sql_dependencies(project, dag, conn);
  return dag;
}

}  // namespace

int run_ls(Context& ctx, const TransformOptions& o) {
  LoadedProject p = load_transform_project(ctx, o);
  Dag dag = offline_dag(p.project);
  Selection s = select(p.project, dag, o,
                       {ResourceType::kModel, ResourceType::kSeed, ResourceType::kSnapshot,
                        ResourceType::kTest, ResourceType::kSource},
                       ctx);
  std::string out;
  for (std::size_t i : s.indexes) {
    const Node& n = dag.node(i);
    if (o.output == "json") {
      nlohmann::json parents = nlohmann::json::array();
      for (std::size_t pi : dag.parents(i)) parents.push_back(dag.id(pi));
      nlohmann::json j = {{"name", n.name},
                          {"resource_type", std::string(to_string(n.resource_type))},
                          {"package_name", n.package_name},
                          {"original_file_path", n.original_file_path},
                          {"unique_id", n.unique_id},
                          {"alias", n.resource_type == ResourceType::kSource ? n.identifier
                                    : n.config.alias.empty()                 ? n.name
                                                                             : n.config.alias},
                          {"config", n.config.to_json()},
                          {"tags", n.config.tags},
                          {"depends_on", {{"nodes", parents}}}};
      out += j.dump() + "\n";
    } else if (o.output == "path") {
      out += n.original_file_path + "\n";
    } else {
      std::string name = n.resource_type == ResourceType::kSource ? "source:" : "";
      for (std::size_t k = 0; k < n.fqn.size(); ++k) name += (k ? "." : "") + n.fqn[k];
      out += name + "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int run_compile(Context& ctx, const TransformOptions& o) {
  LoadedProject p = load_transform_project(ctx, o);
  Dag dag = offline_dag(p.project);
  Selection s = select(p.project, dag, o, {ResourceType::kModel, ResourceType::kTest}, ctx);
  Compiler compiler(p.project);
  std::map<std::string, std::string> compiled;
  std::string last;
  for (std::size_t i : s.indexes) {
    const Node& n = dag.node(i);
    std::string sql = n.resource_type == ResourceType::kTest ? test_sql(p.project, compiler, n)
                                                             : compiler.compile(n, false).sql;
    fs::path file = p.target / "compiled" / p.project.name() /
                    (n.is_generic_test ? fs::path(n.original_file_path) / n.path
                                       : fs::path(n.original_file_path));
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << sql << "\n";
    compiled[n.unique_id] = sql;
    last = sql;
  }
  // Analyses (analysis-paths): compiled only, never run, as dbt does. Not manifest nodes here.
  std::size_t analyses = 0;
  if (!p.dir.empty()) {
    for (const std::string& folder : p.project.settings.analysis_paths) {
      std::error_code ec;
      if (!fs::is_directory(p.dir / folder, ec)) continue;
      std::vector<fs::path> files;
      for (const auto& e : fs::recursive_directory_iterator(p.dir / folder, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".sql") files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) {
        std::string rel = f.lexically_relative(p.dir).generic_string();
        std::string sql = compiler.render_text(read_whole_file(f), rel, nullptr);
        fs::path out = p.target / "compiled" / p.project.name() / rel;
        fs::create_directories(out.parent_path());
        std::ofstream(out, std::ios::binary | std::ios::trunc) << sql << "\n";
        ++analyses;
      }
    }
  }
  write_json_file(p.target / "manifest.json", manifest_json(p.project, dag, compiled, random_id()));
  if (analyses > 0) {
    ctx.say("Compiled " + std::to_string(analyses) + " analys" + (analyses == 1 ? "is" : "es") +
            " (not run)");
  }
  if (s.indexes.size() == 1) {
    std::fwrite(last.data(), 1, last.size(), stdout);
    std::fputc('\n', stdout);
  }
  ctx.say("Compiled " + std::to_string(s.indexes.size()) + " node(s) into " +
          (p.target / "compiled").string());
  return 0;
}

int run_docs_generate(Context& ctx, const TransformOptions& o) {
  LoadedProject p = load_transform_project(ctx, o);
  Dag dag = offline_dag(p.project);
  Compiler compiler(p.project);
  std::map<std::string, std::string> compiled;
  for (std::size_t i = 0; i < dag.size(); ++i) {
    const Node& n = dag.node(i);
    if (n.resource_type == ResourceType::kModel)
      compiled[n.unique_id] = compiler.compile(n, false).sql;
    if (n.resource_type == ResourceType::kTest)
      compiled[n.unique_id] = test_sql(p.project, compiler, n);
  }
  std::string id = random_id();
  write_json_file(p.target / "manifest.json", manifest_json(p.project, dag, compiled, id));
  Settings settings = settings_for(ctx, p);
  auto database = open_database(settings, ctx.options().wait);
  Connection conn(database);
  nlohmann::json catalog = catalog_json(p.project, conn, id);
  write_json_file(p.target / "catalog.json", catalog);
  ctx.say("Catalog written to " + (p.target / "catalog.json").string() + " (" +
          std::to_string(catalog["nodes"].size()) + " nodes, " +
          std::to_string(catalog["sources"].size()) +
          " sources found in the database); no index.html: Baliza writes the artifacts, not "
          "dbt's docs site (`baliza ui` shows models and lineage)");
  return 0;
}

int run_validate(Context& ctx, const TransformOptions& o) {
  LoadedProject p = load_transform_project(ctx, o);
  Dag dag = offline_dag(p.project);  // cycles and unknown refs: usage errors (exit 2)
  Settings settings = settings_for(ctx, p);
  lineage::ModelChecks checks;
  std::vector<ValidationIssue> issues =
      validate_project(p.project, dag, settings.db_path, checks.hook(), checks.finish());
  const lineage::ProjectLineage& columns = checks.lineage();
  int errors = 0;
  for (const ValidationIssue& issue : issues) {
    errors += issue.error ? 1 : 0;
    ctx.say(std::string(issue.error ? "error: " : "note: ") + issue.location + ": " +
            issue.message);
  }
  std::size_t models = 0;
  for (std::size_t i = 0; i < dag.size(); ++i)
    models += dag.node(i).resource_type == ResourceType::kModel;
  if (o.estimate) {
    // Budgets first: a bad value is a usage error before anything is opened.
    Budgets budgets = budgets_from(settings);
    if (!fs::exists(settings.db_path)) {
      throw usage_error("--estimate plans each model over the data: no database at " +
                        settings.db_path +
                        "; run the pipeline (or `baliza build`) first, or "
                        "pass --db");
    }
    auto warehouse = Database::open(settings.db_path, {.read_only = true});
    Connection conn(warehouse);
    register_payload_functions(conn, settings.max_payload_bytes);
    std::vector<ModelEstimate> estimates = estimate_models(p.project, dag, conn, budgets);
    std::fputs(("estimates from DuckDB's plans over " + settings.db_path + ":\n" +
                describe_estimates(estimates))
                   .c_str(),
               stdout);
    for (const ModelEstimate& e : estimates) {
      for (const std::string& over : e.over) {
        ++errors;
        ctx.say("error: " + e.file + ": model " + e.name + ": " + over);
      }
    }
  }
  std::size_t lineage_columns = 0, unknown_columns = 0;
  for (const lineage::ModelColumns& m : columns.models()) {
    if (!m.lineage.known) {
      ctx.say("note: " + m.name + ": column lineage unknown: " + m.lineage.reason);
      continue;
    }
    for (const lineage::ColumnLineage& c : m.lineage.columns) {
      ++lineage_columns;
      unknown_columns += c.known ? 0 : 1;
    }
  }
  ctx.say("column lineage: " + std::to_string(lineage_columns) + " columns of " +
          std::to_string(columns.models().size()) + " models (" + std::to_string(unknown_columns) +
          " unknown; `baliza lineage <model>` shows why)");
  ctx.say(errors == 0 ? "validated " + std::to_string(models) + " models and " +
                            std::to_string(dag.size() - models) + " other nodes: no problems"
                      : std::to_string(errors) + " problem(s) found");
  return errors == 0 ? 0 : 2;  // the project needs fixing: a usage error
}

namespace {

// `baliza lineage <model>[.<column>]`: column lineage from the project's SQL, bound against the
// warehouse's catalog as `validate` binds it (nothing is written).
int run_lineage(Context& ctx, const TransformOptions& o) {
  LoadedProject p = load_transform_project(ctx, o);
  Dag dag = offline_dag(p.project);
  Settings settings = settings_for(ctx, p);
  lineage::ModelChecks checks;
  std::vector<ValidationIssue> issues =
      validate_project(p.project, dag, settings.db_path, checks.hook(), checks.finish());
  const lineage::ProjectLineage& columns = checks.lineage();
  for (const ValidationIssue& issue : issues)
    if (issue.error) ctx.say("warning: " + issue.location + ": " + issue.message);

  // <model>, <schema.table>, <model>.<column> or <schema.table>.<column>.
  const lineage::ModelColumns* model = columns.find(o.target);
  std::string column;
  if (!model) {
    auto dot = o.target.rfind('.');
    if (dot != std::string::npos) {
      model = columns.find(o.target.substr(0, dot));
      column = o.target.substr(dot + 1);
    }
  }
  if (!model) {
    throw usage_error("no model named " + o.target +
                      "; give a model (contratos), its relation (staging.contratos), optionally "
                      "with a column (staging.contratos.valor_global); `baliza ls` lists models");
  }
  std::vector<std::string> wanted;
  if (!column.empty()) {
    bool found = false;
    for (const auto& c : model->lineage.columns) found |= lineage::iequals(c.column, column);
    if (!found && model->lineage.known) {
      std::string names;
      for (const auto& c : model->lineage.columns) names += (names.empty() ? "" : ", ") + c.column;
      throw usage_error("model " + model->name + " has no column " + column +
                        "; its columns: " + names);
    }
    wanted.push_back(column);
  } else {
    for (const auto& c : model->lineage.columns) wanted.push_back(c.column);
  }
  bool down = o.downstream && !o.upstream;
  int depth = o.depth >= 0 ? o.depth : (column.empty() ? 1 : -1);
  std::string label = model->relation.empty() ? model->name : model->relation;
  nlohmann::json json = nlohmann::json::array();
  std::string text;
  if (!model->lineage.known) text += label + ": lineage unknown: " + model->lineage.reason + "\n";
  for (const std::string& c : wanted) {
    std::vector<lineage::LineageStep> steps = down ? lineage::downstream(columns, *model, c, depth)
                                                   : lineage::upstream(columns, *model, c, depth);
    if (o.format == "json") {
      json.push_back({{"model", model->unique_id},
                      {"relation", label},
                      {"column", c},
                      {"direction", down ? "downstream" : "upstream"},
                      {down ? "downstream" : "upstream", lineage::to_json(steps)}});
    } else {
      text += label + "." + c + "\n" + lineage::to_text(steps, !down);
      if (steps.empty())
        text += down ? "  (nothing reads it)\n" : "  (no input column: a constant, or count(*))\n";
    }
  }
  if (column.empty() && !down && !model->lineage.dataset.empty()) {
    if (o.format == "json") {
      nlohmann::json d = nlohmann::json::array();
      for (const auto& in : model->lineage.dataset) d.push_back(lineage::to_json(in));
      json.push_back({{"model", model->unique_id}, {"relation", label}, {"dataset", d}});
    } else {
      text += "every row of " + label + " also depends on:\n";
      for (const auto& in : model->lineage.dataset)
        text += "  <- " + in.type + " " + in.subtype + " " + in.label() + "\n";
    }
  }
  std::string out = o.format == "json" ? json.dump(2) + "\n" : text;
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

void add_project_options(CLI::App* cmd, TransformOptions& o) {
  cmd->add_option(
      "--project-dir", o.project_dir,
      "Project folder (default: nearest with dbt_project.yml, or baliza.yml and models/)");
  cmd->add_option("-s,--select,-m,--models", o.select, "Nodes to include (dbt selection syntax)");
  cmd->add_option("--exclude", o.exclude, "Nodes to leave out");
  cmd->add_option("--vars", o.vars, "Project vars as JSON, e.g. '{\"start\": \"2024-01-01\"}'");
  cmd->add_option("--state", o.state,
                  "Previous run's manifest.json (or target/) for state:modified");
  cmd->add_option("--target,-t", o.dbt_target, "dbt projects: the profiles.yml target to use");
  cmd->add_option("--profiles-dir", o.profiles_dir,
                  "dbt projects: folder of profiles.yml (else $DBT_PROFILES_DIR, the project, "
                  "~/.dbt)");
}

void add_run_options(CLI::App* cmd, TransformOptions& o) {
  add_project_options(cmd, o);
  cmd->add_flag("--full-refresh", o.full_refresh,
                "Rebuild incremental models and seeds from scratch");
  cmd->add_flag("-x,--fail-fast", o.fail_fast, "Stop at the first failure");
  cmd->add_option("--threads", o.threads,
                  "Nodes run at once (default: the dbt profile's threads, else 4)")
      ->check(CLI::Range(1, 64));
  // Incremental models rebuild this period's data (vars periodo_inicio / periodo_fim); without
  // it they take only what is new since their last build.
  o.period.add_to(cmd, false);
}

}  // namespace

void add_transform_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static TransformOptions o;
  struct Spec {
    const char* name;
    const char* help;
    std::vector<ResourceType> types;
  };
  const std::vector<Spec> runs = {
      {"transform", "Build the project's models in dependency order", {ResourceType::kModel}},
      {"seed", "Load the project's seed CSV files into tables", {ResourceType::kSeed}},
      {"test", "Run the project's data tests", {ResourceType::kTest}},
      {"build",
       "Seeds, models, snapshots and tests in DAG order; failures skip what depends on them",
       {ResourceType::kSeed, ResourceType::kModel, ResourceType::kSnapshot, ResourceType::kTest}},
  };
  static PeriodRunOptions periods;  // --periods: build and transform, once per period
  for (const Spec& spec : runs) {
    CLI::App* cmd = app.add_subcommand(spec.name, spec.help);
    add_run_options(cmd, o);
    std::string name = spec.name;
    std::vector<ResourceType> types = spec.types;
    if (name == "build" || name == "transform") periods.add_to(cmd);
    cmd->callback([&ctx, &exit_code, name, types] {
      exit_code = periods.given() ? run_period_build(ctx, o, periods, name, types)
                                  : run_command(ctx, o, name, types);
    });
  }
  CLI::App* ls = app.add_subcommand("ls", "List the project's nodes (dbt ls)");
  add_project_options(ls, o);
  ls->add_option("--output", o.output, "text, json or path")
      ->check(CLI::IsMember({"text", "json", "path"}));
  ls->add_option("--resource-type", o.resource_types, "model, seed, test, source");
  ls->callback([&ctx, &exit_code] { exit_code = run_ls(ctx, o); });

  CLI::App* compile =
      app.add_subcommand("compile", "Write each model's rendered SQL to target/compiled/");
  add_project_options(compile, o);
  compile->callback([&ctx, &exit_code] { exit_code = run_compile(ctx, o); });

  CLI::App* validate = app.add_subcommand(
      "validate", "Check every model against the known schemas without writing anything");
  add_project_options(validate, o);
  validate->add_flag("--estimate", o.estimate,
                     "Also plan each model over the database: estimated rows and cost, checked "
                     "against baliza.yml budgets");
  validate->callback([&ctx, &exit_code] { exit_code = run_validate(ctx, o); });

  CLI::App* lineage_cmd = app.add_subcommand(
      "lineage", "Column lineage: where a model's columns come from (down to raw API fields)");
  lineage_cmd->add_option("model", o.target, "<model>[.<column>] or <schema.table>[.<column>]")
      ->required();
  lineage_cmd->add_option("--project-dir", o.project_dir,
                          "Project folder (default: nearest with baliza.yml and models/)");
  lineage_cmd->add_flag("--upstream", o.upstream, "What the column comes from (the default)");
  lineage_cmd->add_flag("--downstream", o.downstream, "What the column feeds");
  lineage_cmd->add_option("--depth", o.depth,
                          "Steps to follow (default: all for a column, 1 for a whole model)");
  lineage_cmd->add_option("--format", o.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  lineage_cmd->callback([&ctx, &exit_code] { exit_code = run_lineage(ctx, o); });
}

}  // namespace baliza::cli
