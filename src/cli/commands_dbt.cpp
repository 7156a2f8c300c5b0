// `baliza dbt <command> [dbt's flags]`: dbt's command line on Baliza's engine, so that
// `alias dbt='baliza dbt'` runs a dbt-duckdb project's scripts unchanged.
//
//   build run test seed snapshot compile ls|list parse debug clean retry docs generate deps
//   source freshness
//
// Flags as dbt spells them: -s/--select, --exclude, --selector, --vars (YAML or JSON),
// -t/--target, --profiles-dir, --project-dir, --full-refresh, -x/--fail-fast, --threads,
// --state, --defer, --resource-type, --output, --store-failures, --warn-error. A flag dbt has
// that changes nothing here (--no-partial-parse, --use-colors, ...) is accepted; any other is
// a usage error (exit 2).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <tuple>

#include "cli/context.h"
#include "cli/period_build.h"
#include "cli/project_locator.h"
#include "cli/transform_actions.h"
#include "core/clock.h"
#include "core/error.h"
#include "transform/artifacts.h"
#include "transform/batch_time.h"
#include "transform/dag.h"
#include "transform/dbt_project_file.h"
#include "transform/project_files.h"
#include "transform/yaml_util.h"

namespace baliza::cli {
namespace fs = std::filesystem;
using transform::ResourceType;

namespace {

struct DbtOptions {
  TransformOptions t;
  std::string selector;
  std::string vars_text;
  bool ignored_flag = false;
};

// dbt's --vars is YAML ('{key: value}' or 'key: value'); Baliza's is JSON. JSON is YAML.
std::string vars_as_json(const std::string& text) {
  if (text.empty()) return text;
  transform::YamlNode node = transform::parse_yaml(text, "--vars");
  if (!node.IsMap()) {
    throw usage_error("--vars must be a mapping such as '{start: 2024-01-01}'; got " + text);
  }
  return transform::yaml_to_json(node).dump();
}

// Selectors from selectors.yml: `definition` as a selection string, a {method, value} dict,
// or {union: [...]} / {intersection: [...]} of those (an intersection is joined with ',').
std::string selector_term(const transform::YamlNode& d, const std::string& file) {
  if (d.IsScalar()) return d.Scalar();
  if (d.IsMap()) {
    if (d["union"]) {
      std::string out;
      for (const auto& item : d["union"].items())
        out += (out.empty() ? "" : " ") + selector_term(item, file);
      return out;
    }
    if (d["intersection"]) {
      std::string out;
      for (const auto& item : d["intersection"].items())
        out += (out.empty() ? "" : ",") + selector_term(item, file);
      return out;
    }
    if (d["method"] && d["value"]) {
      std::string method = d["method"].Scalar();
      std::string value = d["value"].Scalar();
      std::string term = method == "fqn" ? value : method + ":" + value;
      if (d["parents"] && d["parents"].Scalar() == "true") term = "+" + term;
      if (d["children"] && d["children"].Scalar() == "true") term += "+";
      return term;
    }
  }
  transform::yaml_fail(file, d, "this selector definition is not supported",
                       "; use a selection string, {method, value}, union or intersection");
}

std::string resolve_selector(const fs::path& project_dir, const std::string& name) {
  fs::path file = project_dir / "selectors.yml";
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    throw usage_error("--selector " + name + ": there is no selectors.yml in " +
                      project_dir.string());
  }
  transform::YamlNode root =
      transform::parse_yaml(transform::read_whole_file(file), "selectors.yml");
  std::vector<std::string> names;
  for (const auto& s : root["selectors"].items()) {
    std::string n = s["name"].Scalar();
    names.push_back(n);
    if (n == name) return selector_term(s["definition"], "selectors.yml");
  }
  throw usage_error("--selector " + name + " is not defined in selectors.yml; selectors: " + [&] {
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    return all;
  }());
}

fs::path project_dir_or_fail(const TransformOptions& o) {
  std::optional<fs::path> dir = locate_project(o.project_dir);
  if (!dir) {
    throw usage_error("no dbt_project.yml in " + fs::current_path().string() +
                      " or its parents; run inside a dbt project or pass --project-dir");
  }
  return *dir;
}

// Fills what the dbt spelling of a flag leaves for TransformOptions. `baliza dbt` never falls
// back to the built-in PNCP project: without a project it stops.
void prepare(DbtOptions& d) {
  d.t.project_dir = project_dir_or_fail(d.t).string();
  if (!d.vars_text.empty()) d.t.vars = vars_as_json(d.vars_text);
  if (!d.selector.empty())
    d.t.select.push_back(resolve_selector(project_dir_or_fail(d.t), d.selector));
  std::optional<transform::UtcTime> start, end;
  for (auto [flag, value, out] : {std::tuple{"--event-time-start", &d.t.event_time_start, &start},
                                  std::tuple{"--event-time-end", &d.t.event_time_end, &end}}) {
    if (value->empty()) continue;
    *out = transform::parse_utc_time(*value);
    if (!*out) {
      throw usage_error(std::string(flag) + " '" + *value +
                        "' is not a date or timestamp; write 2024-01-01 or "
                        "'2024-01-01 06:00:00' (UTC unless it ends with +HH:MM)");
    }
  }
  if (start && end && *start >= *end) {
    throw usage_error("--event-time-start " + d.t.event_time_start +
                      " must be before --event-time-end " + d.t.event_time_end);
  }
  if (d.t.defer && d.t.state.empty()) {
    throw usage_error("--defer needs --state <folder with the manifest.json to defer to>");
  }
}

int run_debug(Context& ctx, DbtOptions& d) {
  LoadedProject p = load_transform_project(ctx, d.t);
  std::printf("project: %s (%s)\n", p.dir.c_str(), p.project.settings.file.c_str());
  if (!p.dbt) {
    std::printf("not a dbt project: no profile to check\n");
    return 0;
  }
  const transform::DbtTarget& t = *p.dbt;
  std::printf(
      "profiles.yml: %s\nprofile: %s  target: %s  type: %s\npath: %s  schema: %s  "
      "threads: %d\n",
      t.profiles_file.empty() ? "(none; --db given)" : t.profiles_file.c_str(),
      t.profile_name.c_str(), t.target_name.c_str(), t.type.c_str(), t.path.c_str(),
      t.schema.c_str(), t.threads);
  Settings s = resolve_settings(ctx.options().db, std::nullopt);
  std::string path = s.db_source == "default" ? t.path : s.db_path;
  try {
    Settings open = s;
    open.db_path = path;
    auto db = open_database(open);
    Connection conn(db);
    conn.scalar("select 1");
  } catch (const Error& e) {
    std::printf("Connection test: ERROR (%s)\n", e.what());
    return static_cast<int>(ExitCode::kEnvironment);
  }
  std::printf("Connection test: OK connection ok\nAll checks passed!\n");
  return 0;
}

int run_clean(Context& ctx, DbtOptions& d) {
  fs::path dir = project_dir_or_fail(d.t);
  transform::ProjectSettings s = transform::read_project_settings(dir);
  std::vector<std::string> targets = s.clean_targets;
  if (targets.empty()) targets = {s.target_path};
  for (const std::string& t : targets) {
    fs::path victim = (dir / t).lexically_normal();
    // Never outside the project (dbt refuses too).
    std::string rel = victim.lexically_relative(dir).string();
    if (rel.empty() || rel == "." || rel.rfind("..", 0) == 0) {
      throw usage_error("clean-targets entry '" + t + "' is outside the project " + dir.string());
    }
    std::error_code ec;
    auto n = fs::remove_all(victim, ec);
    if (ec) throw environment_error("cannot remove " + victim.string() + ": " + ec.message());
    ctx.say("Cleaned " + victim.string() + (n == 0 ? " (nothing there)" : ""));
  }
  return 0;
}

int run_parse(Context& ctx, DbtOptions& d) {
  LoadedProject p = load_transform_project(ctx, d.t);
  for (const std::string& w : p.project.warnings) ctx.say("warning: " + w);
  transform::Dag dag = transform::Dag::build(p.project);
  transform::write_json_file(p.target / "manifest.json",
                             transform::manifest_json(p.project, dag, {}, random_id()));
  ctx.say("Parsed " + std::to_string(dag.size()) + " nodes; wrote " +
          (p.target / "manifest.json").string());
  return 0;
}

// dbt retry: the nodes that errored or were skipped in the last run_results.json, re-run
// with that run's command.
int run_retry(Context& ctx, DbtOptions& d) {
  fs::path dir = project_dir_or_fail(d.t);
  transform::ProjectSettings s = transform::read_project_settings(dir);
  fs::path results = dir / s.target_path / "run_results.json";
  std::ifstream in(results);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (!in || doc.is_discarded() || !doc.contains("results")) {
    throw usage_error("nothing to retry: " + results.string() +
                      " is missing or unreadable; run a command first");
  }
  std::string command = "build";
  if (doc.contains("args") && doc["args"].contains("which")) command = doc["args"]["which"];
  std::string select;
  for (const auto& r : doc["results"]) {
    std::string status = r.value("status", "");
    if (status != "error" && status != "skipped" && status != "fail" && status != "partial success")
      continue;
    std::string id = r.value("unique_id", "");
    // A microbatch model: only its failed batches run again (when its table exists).
    if (r.contains("batch_results") && r["batch_results"].is_object() &&
        r["batch_results"].contains("failed")) {
      for (const auto& pair : r["batch_results"]["failed"]) {
        if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string())
          d.t.retry_batches[id].emplace_back(pair[0].get<std::string>(),
                                             pair[1].get<std::string>());
      }
    }
    // unique_id -> the node's name selector: model.<package>.<name>,
    // test.<package>.<name>.<hash> (the hash is not part of the name).
    std::size_t dot = id.find('.');
    dot = dot == std::string::npos ? dot : id.find('.', dot + 1);
    if (dot == std::string::npos) continue;
    std::string name = id.substr(dot + 1);
    if (id.rfind("test.", 0) == 0 && name.find('.') != std::string::npos)
      name = name.substr(0, name.find('.'));
    select += (select.empty() ? "" : " ") + name;
  }
  if (select.empty()) {
    ctx.say("Nothing to retry: the last run had no errors or skips.");
    return 0;
  }
  d.t.select = {select};
  std::vector<ResourceType> types = {ResourceType::kSeed, ResourceType::kModel,
                                     ResourceType::kSnapshot, ResourceType::kTest};
  if (command == "run") types = {ResourceType::kModel};
  if (command == "test") types = {ResourceType::kTest};
  if (command == "seed") types = {ResourceType::kSeed};
  if (command == "snapshot") types = {ResourceType::kSnapshot};
  ctx.say("Retrying " + command + " -s '" + select + "'");
  return run_command(ctx, d.t, command, types);
}

void add_common(CLI::App* cmd, DbtOptions& d, bool runs) {
  TransformOptions& o = d.t;
  cmd->add_option("--project-dir", o.project_dir, "Project folder (default: nearest)");
  cmd->add_option("--profiles-dir", o.profiles_dir, "Folder of profiles.yml");
  cmd->add_option("-t,--target", o.dbt_target, "Target of the profile");
  cmd->add_option("--vars", d.vars_text, "Vars as YAML or JSON, e.g. '{start: 2024-01-01}'");
  // Accepted, no effect here: Baliza always parses fully and prints plainly.
  for (const char* f : {"--no-partial-parse,--partial-parse", "--use-colors,--no-use-colors",
                        "--no-version-check,--version-check", "--static-parser",
                        "--no-static-parser", "--write-json,--no-write-json", "--no-print,--print",
                        "--use-experimental-parser", "--no-populate-cache,--populate-cache",
                        "--no-send-anonymous-usage-stats", "--send-anonymous-usage-stats"}) {
    cmd->add_flag(f, d.ignored_flag, "accepted for dbt compatibility; no effect")
        ->group("dbt flags without effect");
  }
  // dbt takes it before or after the command; a test that warns fails (exit 1).
  cmd->add_flag("--warn-error", o.warn_error, "Treat warnings (tests that warn) as failures");
  if (!runs) return;
  cmd->add_option("--event-time-start", o.event_time_start,
                  "Microbatch models build the batches from this date/time (UTC)");
  cmd->add_option("--event-time-end", o.event_time_end,
                  "Microbatch models build the batches up to this date/time (UTC)");
  cmd->add_flag("--store-failures", o.store_failures,
                "Tests without a store_failures config keep their failing rows in the audit "
                "schema");
  cmd->add_option("--log-format", o.log_format,
                  "text, or json: dbt's structured log events on stdout, one per line")
      ->transform([](std::string v) { return v == "default" || v == "debug" ? "text" : v; })
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("-s,--select,-m,--models", o.select, "Nodes to include (dbt selection syntax)");
  cmd->add_option("--exclude", o.exclude, "Nodes to leave out");
  cmd->add_option("--selector", d.selector, "A selector from selectors.yml");
  cmd->add_option("--state", o.state, "Folder (or manifest.json) of a previous run");
  cmd->add_flag("--defer", d.t.defer,
                "Refs to unselected nodes missing here read --state's relations");
  cmd->add_flag("--favor-state", d.t.favor_state,
                "With --defer: always the --state relation of an unselected node");
  cmd->add_option("--resource-type,--resource-types", o.resource_types,
                  "model, seed, test, source");
  cmd->add_flag("--full-refresh,-f", o.full_refresh, "Rebuild incremental models and seeds");
  cmd->add_flag("-x,--fail-fast", o.fail_fast, "Stop at the first failure");
  cmd->add_option("--threads", o.threads, "Nodes run at once (default: the profile's threads)")
      ->check(CLI::Range(1, 64));
}

}  // namespace

void add_dbt_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static DbtOptions d;
  CLI::App* dbt = app.add_subcommand(
      "dbt", "dbt's command line for dbt projects: baliza dbt build|run|test|seed|... [dbt flags]");
  dbt->require_subcommand(1);
  // dbt takes --log-format before the command too: `dbt --log-format json build`.
  dbt->add_option("--log-format", d.t.log_format, "text, or json (dbt's structured log events)")
      ->transform([](std::string v) { return v == "default" || v == "debug" ? "text" : v; })
      ->check(CLI::IsMember({"text", "json"}));
  dbt->add_flag("--warn-error", d.t.warn_error, "Treat warnings (tests that warn) as failures");
  struct Spec {
    const char* name;
    const char* help;
    std::vector<ResourceType> types;
  };
  const std::vector<Spec> runs = {
      {"build",
       "Seeds, models, snapshots and tests in DAG order",
       {ResourceType::kSeed, ResourceType::kModel, ResourceType::kSnapshot, ResourceType::kTest}},
      {"snapshot",
       "Record changes of the snapshots' SELECTs (type-2 history)",
       {ResourceType::kSnapshot}},
      {"run", "Build the models", {ResourceType::kModel}},
      {"test", "Run the data tests", {ResourceType::kTest}},
      {"seed", "Load the seed CSV files", {ResourceType::kSeed}},
  };
  for (const Spec& spec : runs) {
    CLI::App* cmd = dbt->add_subcommand(spec.name, spec.help);
    add_common(cmd, d, true);
    std::string name = spec.name;
    std::vector<ResourceType> types = spec.types;
    static PeriodRunOptions periods;  // --periods: build and run, once per period
    if (name == "build" || name == "run") periods.add_to(cmd);
    cmd->callback([&ctx, &exit_code, name, types] {
      prepare(d);
      exit_code = periods.given() ? run_period_build(ctx, d.t, periods, name, types)
                                  : run_command(ctx, d.t, name, types);
    });
  }
  CLI::App* ls = dbt->add_subcommand("ls", "List the project's nodes");
  ls->alias("list");
  add_common(ls, d, true);
  ls->add_option("--output,-o", d.t.output, "name, json or path")
      ->transform([](std::string v) { return v == "name" || v == "selector" ? "text" : v; })
      ->check(CLI::IsMember({"text", "json", "path"}));
  ls->callback([&ctx, &exit_code] {
    prepare(d);
    exit_code = run_ls(ctx, d.t);
  });
  CLI::App* compile = dbt->add_subcommand("compile", "Render each node's SQL into target/");
  add_common(compile, d, true);
  compile->callback([&ctx, &exit_code] {
    prepare(d);
    exit_code = run_compile(ctx, d.t);
  });
  CLI::App* parse = dbt->add_subcommand("parse", "Read the project and write manifest.json");
  add_common(parse, d, false);
  parse->callback([&ctx, &exit_code] {
    prepare(d);
    exit_code = run_parse(ctx, d);
  });
  CLI::App* debug = dbt->add_subcommand("debug", "Show the profile and test the connection");
  add_common(debug, d, false);
  debug->callback([&ctx, &exit_code] {
    prepare(d);
    exit_code = run_debug(ctx, d);
  });
  CLI::App* clean = dbt->add_subcommand("clean", "Remove the clean-targets (default target/)");
  add_common(clean, d, false);
  clean->callback([&ctx, &exit_code] { exit_code = run_clean(ctx, d); });
  CLI::App* retry = dbt->add_subcommand("retry", "Re-run what failed or was skipped last time");
  add_common(retry, d, false);
  retry->add_option("--threads", d.t.threads, "Nodes run at once")->check(CLI::Range(1, 64));
  retry->callback([&ctx, &exit_code] {
    prepare(d);
    exit_code = run_retry(ctx, d);
  });
  CLI::App* docs = dbt->add_subcommand("docs", "dbt docs: generate writes catalog.json");
  docs->require_subcommand(1);
  CLI::App* generate =
      docs->add_subcommand("generate", "Write manifest.json and catalog.json into target/");
  add_common(generate, d, true);
  generate->add_flag("--no-compile,--compile", d.ignored_flag, "accepted; always compiles");
  generate->add_flag("--static,--empty-catalog", d.ignored_flag, "accepted; no effect")
      ->group("dbt flags without effect");
  generate->callback([&ctx, &exit_code] {
    prepare(d);
    exit_code = run_docs_generate(ctx, d.t);
  });
  CLI::App* source =
      dbt->add_subcommand("source", "dbt source freshness: how fresh the sources are");
  source->require_subcommand(1);
  CLI::App* freshness = source->add_subcommand(
      "freshness", "Check the sources' loaded_at_field against their freshness policy");
  freshness->alias("snapshot-freshness");
  add_common(freshness, d, true);
  static std::string freshness_output;
  freshness->add_option("-o,--output,--output-path", freshness_output,
                        "Where to write sources.json (default: <target-path>/sources.json)");
  freshness->callback([&ctx, &exit_code] {
    prepare(d);
    exit_code = run_source_freshness(ctx, d.t, freshness_output);
  });
  CLI::App* deps = dbt->add_subcommand(
      "deps", "No download: packages in dbt_packages/ are used, dbt_utils is built in");
  add_common(deps, d, false);
  deps->callback([&ctx] {
    ctx.say(
        "baliza dbt deps downloads nothing: macros in dbt_packages/ are used as they are, "
        "and the common dbt_utils / dbt_date macros are built in");
  });
}

}  // namespace baliza::cli
