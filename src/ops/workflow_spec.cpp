#include "ops/workflow_spec.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.h"
#include "transform/text_util.h"
#include "transform/yaml_util.h"

namespace baliza::ops {
namespace fs = std::filesystem;
using transform::YamlNode;

const char* to_string(StepKind kind) {
  switch (kind) {
    case StepKind::kClear:
      return "clear";
    case StepKind::kSeed:
      return "seed";
    case StepKind::kBuild:
      return "build";
    case StepKind::kValidate:
      return "validate";
    case StepKind::kRun:
      return "run";
  }
  return "?";
}

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarn:
      return "warn";
    case Severity::kInfo:
      return "info";
  }
  return "?";
}

std::optional<double> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::string unit = text.substr(used);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "m" || unit == "min") scale = 60;
  if (unit == "h") scale = 3600;
  if (unit == "d") scale = 86400;
  if (scale == 0 || value < 0) return std::nullopt;
  return value * scale;
}

namespace {

std::string where(const std::string& file, const YamlNode& node) {
  return transform::format_pos(file, transform::yaml_pos(node));
}

// A selection: a string ("tag:a tag:b") or a list of strings.
std::vector<std::string> string_list(const std::string& file, const YamlNode& node,
                                     const std::string& what) {
  if (node.IsNull() || !node) return {};
  if (node.IsScalar()) return {node.Scalar()};
  transform::expect_list(file, node, what);
  std::vector<std::string> out;
  for (const YamlNode& item : node.items())
    out.push_back(transform::expect_string(file, item, what));
  return out;
}

bool to_bool(const std::string& file, const YamlNode& node, const std::string& what) {
  std::string v = transform::expect_string(file, node, what);
  if (v == "true" || v == "yes") return true;
  if (v == "false" || v == "no") return false;
  transform::yaml_fail(file, node, what + " must be true or false, not '" + v + "'");
}

std::int64_t to_int(const std::string& file, const YamlNode& node, const std::string& what) {
  std::string v = transform::expect_string(file, node, what);
  try {
    std::size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used == v.size()) return n;
  } catch (const std::exception&) {
  }
  transform::yaml_fail(file, node, what + " must be a whole number, not '" + v + "'");
}

Severity parse_severity(const std::string& file, const YamlNode& node) {
  std::string v = transform::expect_string(file, node, "severity");
  std::string lower = v;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower == "error") return Severity::kError;
  if (lower == "warn" || lower == "warning") return Severity::kWarn;
  if (lower == "info") return Severity::kInfo;
  transform::yaml_fail(file, node, "unknown severity '" + v + "'", "; use error, warn or info");
}

Check parse_check(const std::string& file, const YamlNode& node, std::size_t index) {
  transform::check_keys(file, node,
                        {"name", "severity", "row_count", "min", "max", "sql", "tests", "freshness",
                         "column", "max_age", "description"},
                        "a validate check");
  Check c;
  c.where = where(file, node);
  c.name = node["name"] ? transform::expect_string(file, node["name"], "name")
                        : "check_" + std::to_string(index + 1);
  if (node["severity"]) c.severity = parse_severity(file, node["severity"]);
  int kinds = 0;
  if (const YamlNode& n = node["row_count"]) {
    ++kinds;
    c.kind = Check::Kind::kRowCount;
    c.relation = transform::expect_string(file, n, "row_count (a model, seed or schema.table)");
    if (node["min"]) c.min = to_int(file, node["min"], "min");
    if (node["max"]) c.max = to_int(file, node["max"], "max");
    if (!c.min && !c.max) {
      transform::yaml_fail(file, node, "row_count check '" + c.name + "' has no bounds",
                           "; give min:, max: or both (inclusive)");
    }
  }
  if (const YamlNode& n = node["sql"]) {
    ++kinds;
    c.kind = Check::Kind::kSql;
    c.sql = transform::expect_string(file, n, "sql (a query that must return no rows)");
  }
  if (const YamlNode& n = node["tests"]) {
    ++kinds;
    c.kind = Check::Kind::kTests;
    c.select = string_list(file, n, "tests (a selection)");
  }
  if (const YamlNode& n = node["freshness"]) {
    ++kinds;
    c.kind = Check::Kind::kFreshness;
    c.relation = transform::expect_string(file, n, "freshness (a model, seed or schema.table)");
    if (!node["column"] || !node["max_age"]) {
      transform::yaml_fail(file, node,
                           "freshness check '" + c.name + "' needs column: and max_age:",
                           " (e.g. column: loaded_at, max_age: 24h)");
    }
    c.column = transform::expect_string(file, node["column"], "column");
    std::string age = transform::expect_string(file, node["max_age"], "max_age");
    auto seconds = parse_duration(age);
    if (!seconds) {
      transform::yaml_fail(file, node["max_age"], "max_age '" + age + "' is not a duration",
                           "; write e.g. 90s, 30m, 24h or 7d");
    }
    c.max_age_seconds = *seconds;
  }
  if (kinds != 1) {
    transform::yaml_fail(file, node,
                         "check '" + c.name +
                             "' must have exactly one of row_count, sql, tests, "
                             "freshness (it has " +
                             std::to_string(kinds) + ")");
  }
  return c;
}

void parse_seed(const std::string& file, const YamlNode& body, Step& step) {
  if (!body.IsMap()) {
    step.select = string_list(file, body, "seed (a selection)");
    return;
  }
  transform::check_keys(file, body, {"select", "exclude", "depends_on"}, "a seed step");
  step.select = string_list(file, body["select"], "select");
  step.exclude = string_list(file, body["exclude"], "exclude");
  if (const YamlNode& deps = body["depends_on"]) {
    transform::expect_map(file, deps, "depends_on (seed: [seeds it is loaded after])");
    for (const auto& e : deps.entries()) {
      step.depends_on[e.first.Scalar()] =
          string_list(file, e.second, "depends_on." + e.first.Scalar());
    }
  }
}

void parse_build(const std::string& file, const YamlNode& body, Step& step) {
  if (!body.IsMap()) {
    step.select = string_list(file, body, "build (a selection)");
    return;
  }
  transform::check_keys(file, body, {"select", "exclude", "full_refresh"}, "a build step");
  step.select = string_list(file, body["select"], "select");
  step.exclude = string_list(file, body["exclude"], "exclude");
  if (body["full_refresh"]) step.full_refresh = to_bool(file, body["full_refresh"], "full_refresh");
}

void parse_validate(const std::string& file, const YamlNode& body, Step& step) {
  const YamlNode* list = &body;
  if (body.IsMap()) {
    transform::check_keys(file, body, {"checks"}, "a validate step");
    list = &body["checks"];
  }
  transform::expect_list(file, *list, "validate (a list of checks)");
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->items().size(); ++i) {
    Check c = parse_check(file, list->items()[i], i);
    if (!names.insert(c.name).second) {
      transform::yaml_fail(file, list->items()[i], "two checks named '" + c.name + "'",
                           "; give each check its own name:");
    }
    step.checks.push_back(std::move(c));
  }
  if (step.checks.empty()) transform::yaml_fail(file, body, "validate step without checks");
}

void parse_run(const std::string& file, const YamlNode& body, Step& step) {
  transform::expect_map(file, body, "run (a built-in command: export or sql)");
  transform::check_keys(file, body, {"export", "sql"}, "a run step (built-in commands; no shell)");
  if (body.entries().size() != 1) {
    transform::yaml_fail(file, body, "a run step runs one built-in command",
                         "; split export and sql into two steps");
  }
  if (const YamlNode& sql = body["sql"]) {
    step.sql = transform::expect_string(file, sql, "sql");
    return;
  }
  const YamlNode& ex = body["export"];
  std::vector<const YamlNode*> items;
  if (ex.IsSequence()) {
    for (const YamlNode& item : ex.items()) items.push_back(&item);
  } else {
    items.push_back(&ex);
  }
  for (const YamlNode* item : items) {
    transform::check_keys(file, *item, {"relation", "path", "format"}, "an export");
    ExportSpec e;
    if (!(*item)["relation"] || !(*item)["path"]) {
      transform::yaml_fail(file, *item, "an export needs relation: and path:",
                           " (e.g. {relation: fct_x, path: exports/fct_x.parquet})");
    }
    e.relation = transform::expect_string(file, (*item)["relation"], "relation");
    e.path = transform::expect_string(file, (*item)["path"], "path");
    if ((*item)["format"]) e.format = transform::expect_string(file, (*item)["format"], "format");
    if (e.format.empty()) {
      e.format =
          e.path.size() > 4 && e.path.substr(e.path.size() - 4) == ".csv" ? "csv" : "parquet";
    }
    if (e.format != "parquet" && e.format != "csv") {
      transform::yaml_fail(file, (*item)["format"], "unknown export format '" + e.format + "'",
                           "; use parquet or csv");
    }
    step.exports.push_back(std::move(e));
  }
}

Step parse_step(const std::string& file, const YamlNode& node) {
  static const std::vector<std::string> kinds = {"clear", "seed", "build", "validate", "run"};
  transform::check_keys(
      file, node, {"name", "quick", "description", "clear", "seed", "build", "validate", "run"},
      "a workflow step");
  Step step;
  step.where = where(file, node);
  int found = 0;
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    const YamlNode& body = node[kinds[k]];
    if (!body) continue;
    ++found;
    step.kind = static_cast<StepKind>(k);
    switch (step.kind) {
      case StepKind::kClear:
        step.patterns = string_list(file, body.IsMap() ? body["patterns"] : body, "clear patterns");
        if (body.IsMap()) transform::check_keys(file, body, {"patterns"}, "a clear step");
        if (step.patterns.empty()) {
          transform::yaml_fail(
              file, body, "clear step without patterns",
              "; e.g. clear: [stg_*, int_*] (relation names; schema.name also works)");
        }
        break;
      case StepKind::kSeed:
        parse_seed(file, body, step);
        break;
      case StepKind::kBuild:
        parse_build(file, body, step);
        break;
      case StepKind::kValidate:
        parse_validate(file, body, step);
        break;
      case StepKind::kRun:
        parse_run(file, body, step);
        break;
    }
  }
  if (found != 1) {
    transform::yaml_fail(file, node,
                         found == 0 ? "a step must say what it does"
                                    : "a step does one thing (found several of clear, seed, "
                                      "build, validate, run)",
                         "; write one of clear:, seed:, build:, validate:, run:");
  }
  if (node["name"]) step.name = transform::expect_string(file, node["name"], "name");
  if (node["quick"]) step.quick = to_bool(file, node["quick"], "quick");
  return step;
}

Workflow parse_body(const std::string& name, const YamlNode& node, const std::string& file) {
  transform::expect_map(file, node, "workflow '" + name + "'");
  transform::check_keys(file, node, {"name", "description", "vars", "steps"}, "a workflow");
  Workflow w;
  w.name = name;
  w.file = file;
  w.line = transform::yaml_pos(node).line;
  if (node["description"])
    w.description = transform::expect_string(file, node["description"], "description");
  if (node["vars"] && !node["vars"].IsNull()) {
    transform::expect_map(file, node["vars"], "vars");
    w.vars = transform::yaml_to_json(node["vars"]);
  }
  const YamlNode& steps = node["steps"];
  if (!steps || steps.IsNull() || (steps.IsSequence() && steps.items().empty())) {
    transform::yaml_fail(file, node, "workflow '" + name + "' has no steps",
                         "; add steps: with clear, seed, build, validate or run items");
  }
  transform::expect_list(file, steps, "steps");
  std::map<std::string, int> kind_count;
  for (const YamlNode& item : steps.items()) {
    Step step = parse_step(file, item);
    if (step.name.empty()) {
      int n = ++kind_count[to_string(step.kind)];
      step.name = std::string(to_string(step.kind)) + (n > 1 ? "_" + std::to_string(n) : "");
    }
    for (const Step& other : w.steps) {
      if (other.name == step.name) {
        transform::yaml_fail(file, item,
                             "two steps named '" + step.name + "' in workflow '" + name + "'",
                             "; give one of them another name:");
      }
    }
    w.steps.push_back(std::move(step));
  }
  return w;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw usage_error("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

Workflow parse_workflow(const std::string& name, const std::string& yaml_text,
                        const std::string& file) {
  YamlNode root = transform::parse_yaml(yaml_text, file);
  return parse_body(name, root, file);
}

std::vector<Workflow> load_workflows(const fs::path& dir,
                                     const std::optional<fs::path>& baliza_yml) {
  std::vector<Workflow> out;
  auto add = [&](Workflow w, const YamlNode& at) {
    if (!valid_name(w.name)) {
      transform::yaml_fail(w.file, at, "workflow name '" + w.name + "' is not valid",
                           "; use letters, digits, '_' and '-'");
    }
    for (const Workflow& other : out) {
      if (other.name == w.name) {
        transform::yaml_fail(w.file, at,
                             "workflow '" + w.name + "' is declared twice (also at " + other.file +
                                 ":" + std::to_string(other.line) + ")",
                             "; rename one of them");
      }
    }
    out.push_back(std::move(w));
  };
  if (baliza_yml && fs::exists(*baliza_yml)) {
    std::string file = baliza_yml->filename().string();
    YamlNode root = transform::parse_yaml(read_text(*baliza_yml), file);
    if (const YamlNode& section = root["workflows"]; section && !section.IsNull()) {
      transform::expect_map(file, section, "workflows (name: {steps: [...]})");
      for (const auto& e : section.entries())
        add(parse_body(e.first.Scalar(), e.second, file), e.first);
    }
  }
  fs::path folder = dir / "workflows";
  if (fs::is_directory(folder)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
      std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yml" || ext == ".yaml"))
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& path : files) {
      std::string file = "workflows/" + path.filename().string();
      YamlNode root = transform::parse_yaml(read_text(path), file);
      std::string name = path.stem().string();
      if (root.IsMap() && root["name"]) name = transform::expect_string(file, root["name"], "name");
      add(parse_body(name, root, file), root);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Workflow& a, const Workflow& b) { return a.name < b.name; });
  return out;
}

const Workflow& find_workflow(const std::vector<Workflow>& workflows, const std::string& name) {
  std::vector<std::string> names;
  for (const Workflow& w : workflows) {
    if (w.name == name) return w;
    names.push_back(w.name);
  }
  if (names.empty()) {
    throw usage_error("no workflow named '" + name +
                      "': the project declares none; add a `workflows:` section to baliza.yml or "
                      "a file workflows/" +
                      name + ".yml (see README, Workflows)");
  }
  throw usage_error("no workflow named '" + name + "'" + transform::did_you_mean(name, names) +
                    "; declared: " + transform::join(names, ", "));
}

std::size_t find_step(const Workflow& workflow, const std::string& ref) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < workflow.steps.size(); ++i) {
    if (workflow.steps[i].name == ref) return i;
    names.push_back(workflow.steps[i].name);
  }
  bool digits = !ref.empty() && std::all_of(ref.begin(), ref.end(), ::isdigit);
  if (digits) {
    std::size_t n = std::stoul(ref);
    if (n >= 1 && n <= workflow.steps.size()) return n - 1;
  }
  throw usage_error("workflow '" + workflow.name + "' has no step '" + ref + "'" +
                    transform::did_you_mean(ref, names) +
                    "; its steps: " + transform::join(names, ", ") + " (or a number 1.." +
                    std::to_string(workflow.steps.size()) + ")");
}

}  // namespace baliza::ops
