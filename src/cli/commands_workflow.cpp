// `baliza workflow list|run|status`: the project's declared workflows (ops/workflow_spec.h),
// run step by step on one open database (ops/workflow_runner.h), kept in meta.workflow_runs
// and meta.workflow_steps, and checked by `status` (exit 0 only when the database is in the
// state the workflow produces: every step's last run succeeded, in order, and every relation
// its seed and build steps produce exists).
#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/context.h"
#include "cli/interrupts.h"
#include "cli/project_locator.h"
#include "cli/transform_actions.h"
#include "cli/workflow_hooks.h"
#include "core/error.h"
#include "db/lock_error.h"
#include "db/migrations.h"
#include "db/payload_functions.h"
#include "db/reader.h"
#include "db/workflow_tables.h"
#include "lineage/openlineage_models.h"
#include "ops/openlineage_setup.h"
#include "ops/workflow_report.h"
#include "ops/workflow_runner.h"
#include "ops/workflow_spec.h"
#include "ops/workflow_store.h"
#include "transform/sql_dependencies.h"

namespace baliza::cli {
namespace fs = std::filesystem;

namespace {

struct WorkflowOptions {
  TransformOptions t;
  std::string name;
  bool quick = false;
  bool dry_run = false;
  std::string from, only;
  std::string format = "text";
};

fs::path project_dir_of(const WorkflowOptions& o) {
  std::optional<fs::path> dir = locate_project(o.t.project_dir);
  if (!dir) {
    throw usage_error(
        "no project here: workflows are declared in a project (workflows/*.yml, or "
        "a `workflows:` section of baliza.yml); run inside one or pass "
        "--project-dir");
  }
  return *dir;
}

std::vector<ops::Workflow> workflows_of(const fs::path& dir) {
  fs::path yml = dir / "baliza.yml";
  return ops::load_workflows(dir, fs::exists(yml) ? std::optional<fs::path>(yml) : std::nullopt);
}

void out(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

// The project with the workflow's vars under --vars (the command line wins).
LoadedProject load_for(Context& ctx, WorkflowOptions o, const fs::path& dir,
                       const ops::Workflow& w) {
  nlohmann::json vars = w.vars;
  if (!o.t.vars.empty()) {
    nlohmann::json cli = nlohmann::json::parse(o.t.vars, nullptr, false);
    if (!cli.is_object()) throw usage_error("--vars must be a JSON object; got " + o.t.vars);
    vars.update(cli);
  }
  o.t.project_dir = dir.string();
  o.t.vars = vars.empty() ? "" : vars.dump();
  return load_transform_project(ctx, o.t);
}

std::string command_line(const WorkflowOptions& o) {
  std::string line = "baliza workflow run " + o.name;
  if (o.quick) line += " --quick";
  if (!o.from.empty()) line += " --from " + o.from;
  if (!o.only.empty()) line += " --only " + o.only;
  return line;
}

int run_list(Context& ctx, const WorkflowOptions& o) {
  fs::path dir = project_dir_of(o);
  std::vector<ops::Workflow> workflows = workflows_of(dir);
  if (o.format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const ops::Workflow& w : workflows) {
      nlohmann::json steps = nlohmann::json::array();
      for (const ops::Step& s : w.steps)
        steps.push_back({{"name", s.name}, {"kind", ops::to_string(s.kind)}});
      list.push_back({{"name", w.name},
                      {"description", w.description},
                      {"file", w.file + ":" + std::to_string(w.line)},
                      {"steps", steps}});
    }
    out(list.dump(2) + "\n");
    return 0;
  }
  if (workflows.empty()) {
    ctx.say("no workflows in " + dir.string() +
            ": add workflows/<name>.yml or a `workflows:` section to baliza.yml");
    return 0;
  }
  std::string text;
  for (const ops::Workflow& w : workflows) {
    text += w.name + "  (" + w.file + ":" + std::to_string(w.line) + ")" +
            (w.description.empty() ? "" : "  " + w.description) + "\n";
    for (std::size_t i = 0; i < w.steps.size(); ++i) {
      text += "  " + std::to_string(i + 1) + ". " + w.steps[i].name + " (" +
              ops::to_string(w.steps[i].kind) + ")\n";
    }
  }
  out(text);
  return 0;
}

struct OpenDb {
  std::shared_ptr<Database> database;
  std::unique_ptr<ReadServer> read_server;
  std::unique_ptr<Connection> conn;
};

// Opens the project's database to write (migrated; a dbt project's file gets only the
// workflow tables). A lock names the holder and says what to do.
OpenDb open_for_writing(Context& ctx, const LoadedProject& p, const Settings& settings,
                        const std::string& what) {
  OpenDb db;
  try {
    db.database = open_database(settings, ctx.options().wait);
  } catch (const LockConflict& e) {
    throw LockConflict(what + " cannot start: " + e.what(), e.holder_pid());
  }
  db.read_server = serve_reads(db.database);
  db.conn = std::make_unique<Connection>(db.database);
  if (p.dbt) {
    ensure_workflow_tables(*db.conn);
  } else {
    apply_migrations(*db.conn);
  }
  apply_project_target(ctx, *db.conn, p);
  register_payload_functions(*db.conn, settings.max_payload_bytes);
  return db;
}

// Read-only, or nothing when there is no database file yet.
OpenDb open_for_reading(const Settings& settings) {
  OpenDb db;
  if (settings.db_path != ":memory:" && !fs::exists(settings.db_path)) return db;
  db.database = Database::open(settings.db_path, {.read_only = true});
  db.conn = std::make_unique<Connection>(db.database);
  return db;
}

int run_run(Context& ctx, const WorkflowOptions& o) {
  fs::path dir = project_dir_of(o);
  std::vector<ops::Workflow> workflows = workflows_of(dir);
  const ops::Workflow& w = ops::find_workflow(workflows, o.name);
  ops::WorkflowRunOptions run;
  if (!o.from.empty()) run.from = ops::find_step(w, o.from);
  if (!o.only.empty()) run.only = ops::find_step(w, o.only);
  if (run.from && run.only) throw usage_error("give --from or --only, not both");
  LoadedProject p = load_for(ctx, o, dir, w);
  ctx.say(describe_project(dir) + "; workflow " + w.name + " (" + w.file + ":" +
          std::to_string(w.line) + ")");
  for (const std::string& warning : p.project.warnings) ctx.say("warning: " + warning);
  transform::Dag dag = transform::Dag::build(p.project);
  Settings settings = project_db_settings(ctx, p);
  OpenDb db = o.dry_run ? open_for_reading(settings)
                        : open_for_writing(ctx, p, settings, "workflow " + w.name);
  if (db.conn) transform::add_plain_sql_dependencies(p.project, dag, *db.conn);
  run.quick = o.quick;
  run.dry_run = o.dry_run;
  run.threads = project_threads(o.t, p);
  run.record_nodes = !p.dbt;
  run.project_label = dir.string();
  run.command_line = command_line(o);
  run.project_dir = dir;
  auto database = db.database;
  run.connect = [database] { return std::make_unique<Connection>(database); };
  run.print = [&ctx](const std::string& line) { ctx.say(line); };
  if (db.conn && !o.dry_run) {
    // This process holds the file to write: a run still `running` there was left by a process
    // that was killed; say so and mark it interrupted before this run starts.
    for (const StaleWorkflowRun& stale : mark_stale_workflow_runs(*db.conn)) {
      ctx.say("note: workflow " + stale.workflow + " run " + stale.run_id + " started " +
              stale.started_at + (stale.pid > 0 ? " by process " + std::to_string(stale.pid) : "") +
              " never finished (killed?): marked interrupted; its completed steps are kept");
    }
  }
  // Ctrl-C / SIGTERM: the running build's nodes stop, no further step starts, the run is
  // stored `interrupted` and the exit code is 130 (a second Ctrl-C exits at once).
  InterruptGuard interrupt_guard;
  run.interrupts = &interrupt_count();
  run.before_clear = [&ctx, &settings, &db](const ops::Workflow& wf, const ops::Step& step) {
    return before_workflow_clear(ctx, settings, *db.conn, wf, step);
  };
  // OpenLineage: the workflow's run (`<project>.workflow`) and a run per model, seed and
  // snapshot its build steps execute.
  std::optional<ops::CommandEvents> events;
  std::unique_ptr<lineage::ModelEvents> model_events;
  if (!o.dry_run) {
    events.emplace(settings, p.project.name(), "workflow");
    if (events->enabled()) {
      run.before_nodes = [&](const std::vector<std::size_t>& nodes, transform::RunOptions& r) {
        model_events =
            std::make_unique<lineage::ModelEvents>(events->client(), p.project, dag, nodes,
                                                   settings.db_path, events->parent(), run.connect);
        model_events->attach(r);
      };
      run.after_nodes = [&](const transform::RunSummary&) {
        if (model_events) model_events->close();
        model_events.reset();
      };
    }
  }
  ops::WorkflowReport report = ops::run_workflow(p.project, dag, w, db.conn.get(), run);
  std::string events_line = events ? events->finish(report.exit_code()) : "";
  if (!events_line.empty()) ctx.say(events_line);
  if (o.format == "json") {
    out(ops::report_json(report).dump(2) + "\n");
  } else {
    out(ops::report_text(report));
  }
  if (!o.dry_run) after_workflow(ctx, settings, report);
  return report.exit_code();
}

std::string status_of(Context& ctx, const WorkflowOptions& o, const fs::path& dir,
                      const ops::Workflow& w, Reader* reader, const Settings& settings,
                      bool& set_up, nlohmann::json& json) {
  LoadedProject p = load_for(ctx, o, dir, w);
  transform::Dag dag = transform::Dag::build(p.project);
  std::map<std::string, ops::StepState> states;
  if (reader) states = ops::last_step_states(*reader, w.name);
  std::string text = "workflow " + w.name + " on " + settings.db_path + "\n";
  text +=
      "  #  step                 kind      last run                    status    seconds       "
      "rows\n";
  std::string reason, last_clear, last_clear_step;
  nlohmann::json steps = nlohmann::json::array();
  for (std::size_t i = 0; i < w.steps.size(); ++i) {
    const ops::Step& s = w.steps[i];
    auto it = states.find(s.name);
    char line[256];
    if (it == states.end()) {
      std::snprintf(line, sizeof line, "  %-2zu %-20s %-9s %-27s %-9s %7s %10s\n", i + 1,
                    s.name.c_str(), ops::to_string(s.kind), "never", "-", "-", "-");
      if (reason.empty()) reason = "step " + s.name + " never ran";
      steps.push_back({{"step", s.name}, {"kind", ops::to_string(s.kind)}, {"last_run", nullptr}});
    } else {
      const ops::StepState& st = it->second;
      std::snprintf(line, sizeof line, "  %-2zu %-20s %-9s %-27s %-9s %7.2f %10lld\n", i + 1,
                    s.name.c_str(), ops::to_string(s.kind), st.finished_at.c_str(),
                    st.status.c_str(), st.seconds, static_cast<long long>(st.rows));
      if (reason.empty() && st.status != "ok" && st.status != "warn")
        reason = "step " + s.name + " " + (st.status == "error" ? "failed" : st.status) + ": " +
                 st.message;
      // A clear undoes what the steps after it made: they must have run since.
      if (reason.empty() && st.finished_at < last_clear) {
        reason = "step " + s.name + " last ran before " + last_clear_step +
                 " dropped relations (rerun from " + s.name + ")";
      }
      if (s.kind == ops::StepKind::kClear && st.finished_at > last_clear) {
        last_clear = st.finished_at;
        last_clear_step = "step " + s.name;
      }
      steps.push_back({{"step", s.name},
                       {"kind", ops::to_string(s.kind)},
                       {"last_run", st.finished_at},
                       {"status", st.status},
                       {"seconds", st.seconds},
                       {"rows", st.rows},
                       {"run_id", st.run_id}});
    }
    text += line;
  }
  std::vector<std::string> missing;
  if (reader) {
    std::set<std::string> existing = ops::existing_relations(*reader);
    for (const std::string& rel : ops::produced_relations(p.project, dag, w)) {
      std::string lower = rel;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!existing.count(lower)) missing.push_back(rel);
    }
  }
  // The last run as it really is: `running` only while its process holds the database.
  std::optional<ops::RunState> last = reader ? ops::last_run(*reader, w.name) : std::nullopt;
  nlohmann::json last_json = nullptr;
  if (last) {
    text += "  last run " + last->run_id + " started " + last->started_at + ": " + last->status +
            (last->status == "running" ? " (process " + std::to_string(last->pid) + ")"
             : last->message.empty()   ? ""
                                       : " (" + last->message + ")") +
            "\n";
    last_json = {{"run_id", last->run_id},
                 {"status", last->status},
                 {"stored_status", last->stored_status},
                 {"started_at", last->started_at},
                 {"finished_at", last->finished_at},
                 {"pid", last->pid},
                 {"message", last->message}};
    if (last->status == "running") {
      reason =
          "run " + last->run_id + " is in progress (process " + std::to_string(last->pid) + ")";
    } else if (last->status == "interrupted" && reason.empty()) {
      reason =
          "the last run " + last->run_id + " was interrupted (" + last->message + "); rerun it";
    }
  }
  if (!reader) reason = "no database at " + settings.db_path;
  if (reason.empty() && !missing.empty()) {
    reason = std::to_string(missing.size()) +
             " relation(s) it produces are missing: " + missing.front() +
             (missing.size() > 1 ? ", ..." : "");
  }
  set_up = reason.empty();
  text += set_up
              ? "  state: set up (the database is in the state workflow " + w.name + " produces)\n"
              : "  state: NOT set up: " + reason + " (run `baliza workflow run " + w.name + "`)\n";
  json = {{"workflow", w.name},   {"database", settings.db_path}, {"set_up", set_up},
          {"reason", reason},     {"missing_relations", missing}, {"steps", steps},
          {"last_run", last_json}};
  return text;
}

int run_status(Context& ctx, const WorkflowOptions& o) {
  fs::path dir = project_dir_of(o);
  std::vector<ops::Workflow> workflows = workflows_of(dir);
  std::vector<const ops::Workflow*> chosen;
  if (!o.name.empty()) {
    chosen.push_back(&ops::find_workflow(workflows, o.name));
  } else {
    for (const ops::Workflow& w : workflows) chosen.push_back(&w);
  }
  if (chosen.empty()) throw usage_error("the project declares no workflows");
  // Settings from the first workflow's load (the database does not depend on vars).
  LoadedProject p = load_for(ctx, o, dir, *chosen.front());
  Settings settings = project_db_settings(ctx, p);
  // Through the holder's read socket when another process has the file (a running workflow),
  // else the file read-only; nothing when there is no database yet.
  std::unique_ptr<Reader> reader;
  if (settings.db_path == ":memory:" || fs::exists(settings.db_path)) {
    reader = open_reader(settings.db_path, {.wait_seconds = ctx.options().wait});
  }
  bool all = true;
  std::string text;
  nlohmann::json json = nlohmann::json::array();
  for (const ops::Workflow* w : chosen) {
    bool set_up = false;
    nlohmann::json j;
    text += status_of(ctx, o, dir, *w, reader.get(), settings, set_up, j);
    json.push_back(j);
    all &= set_up;
  }
  out(o.format == "json" ? json.dump(2) + "\n" : text);
  return all ? 0 : 1;
}

void add_common(CLI::App* cmd, WorkflowOptions& o) {
  cmd->add_option(
      "--project-dir", o.t.project_dir,
      "Project folder (default: nearest with dbt_project.yml, or baliza.yml and models/)");
  cmd->add_option("--target,-t", o.t.dbt_target, "dbt projects: the profiles.yml target to use");
  cmd->add_option("--profiles-dir", o.t.profiles_dir, "dbt projects: folder of profiles.yml");
  cmd->add_option("--vars", o.t.vars, "Project vars as JSON (over the workflow's vars:)");
  cmd->add_option("--format", o.format, "text or json")->check(CLI::IsMember({"text", "json"}));
}

}  // namespace

void add_workflow_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static WorkflowOptions o;
  CLI::App* group = app.add_subcommand(
      "workflow", "Declared workflows: clear, seed, build, validate and run steps in order");
  group->require_subcommand(1);

  CLI::App* list = group->add_subcommand("list", "The project's workflows and their steps");
  add_common(list, o);
  list->callback([&ctx, &exit_code] { exit_code = run_list(ctx, o); });

  CLI::App* run = group->add_subcommand("run", "Run a workflow and print its timed report");
  run->add_option("name", o.name, "The workflow (`baliza workflow list`)")->required();
  add_common(run, o);
  run->add_flag("--quick", o.quick,
                "Skip clear steps and steps marked quick: false, keep seeds already loaded, run "
                "only error checks");
  run->add_flag("--dry-run", o.dry_run, "Say what each step would do; change nothing");
  run->add_option("--from", o.from, "Start at this step (name or number)");
  run->add_option("--only", o.only, "Run only this step (name or number)");
  run->add_option("--threads", o.t.threads, "Nodes built at once (default: profile's, else 4)")
      ->check(CLI::Range(1, 64));
  run->callback([&ctx, &exit_code] { exit_code = run_run(ctx, o); });

  CLI::App* status = group->add_subcommand(
      "status", "Per step: last run, result, duration; exit 0 only when the database is set up");
  status->add_option("name", o.name, "One workflow (default: all)");
  add_common(status, o);
  status->callback([&ctx, &exit_code] { exit_code = run_status(ctx, o); });
}

}  // namespace baliza::cli
