#include "transform/dbt_profile.h"

#include <cstdlib>

#include "core/error.h"
#include "transform/project_files.h"
#include "transform/template.h"
#include "transform/text_util.h"
#include "transform/yaml_util.h"

namespace baliza::transform {
namespace fs = std::filesystem;
namespace {

constexpr const char* kProfilesFile = "profiles.yml";

// A scalar with {{ }} is rendered (env_var, var-free); others are returned as written.
std::string render_value(const std::string& text, const std::string& file, const YamlNode& node) {
  if (text.find("{{") == std::string::npos && text.find("{%") == std::string::npos) return text;
  RenderContext ctx;
  nlohmann::json vars = nlohmann::json::object();
  ctx.vars = &vars;
  try {
    return Template::parse(text, file + ":" + std::to_string(node.pos().line)).render(ctx);
  } catch (const Error& e) {
    throw usage_error(std::string(e.what()) + " (in " + file + ")");
  }
}

std::string scalar_text(const std::string& file, const YamlNode& node, const std::string& what) {
  if (!node.IsScalar()) yaml_fail(file, node, what + " must be a single value");
  return render_value(node.Scalar(), file, node);
}

std::vector<std::string> names_of(const YamlNode& map) {
  std::vector<std::string> out;
  for (const YamlEntry& e : map.entries()) out.push_back(e.first.Scalar());
  return out;
}

}  // namespace

nlohmann::json DbtTarget::to_json() const {
  return {{"name", target_name}, {"target_name", target_name},  {"type", type},
          {"schema", schema},    {"database", database},        {"path", path},
          {"threads", threads},  {"profile_name", profile_name}};
}

std::string duckdb_catalog_name(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.rfind(":memory:", 0) == 0) return "memory";
  std::string stem = fs::path(path).stem().string();
  return stem.empty() ? "memory" : stem;
}

std::optional<fs::path> find_profiles_file(const ProfileRequest& r) {
  std::error_code ec;
  std::vector<fs::path> dirs;
  if (!r.profiles_dir.empty()) {
    dirs.push_back(r.profiles_dir);
  } else {
    if (const char* env = std::getenv("DBT_PROFILES_DIR"); env && *env) dirs.push_back(env);
    if (!r.project_dir.empty()) dirs.push_back(r.project_dir);
    if (const char* home = std::getenv("HOME"); home && *home)
      dirs.push_back(fs::path(home) / ".dbt");
  }
  for (const fs::path& d : dirs) {
    if (fs::exists(d / kProfilesFile, ec)) return d / kProfilesFile;
  }
  if (!r.profiles_dir.empty()) {
    throw usage_error("--profiles-dir " + r.profiles_dir +
                      " has no profiles.yml; point it at the "
                      "folder that holds profiles.yml");
  }
  return std::nullopt;
}

DbtTarget resolve_dbt_target(const ProfileRequest& r) {
  DbtTarget t;
  t.profile_name = r.profile;
  std::optional<fs::path> found = find_profiles_file(r);
  if (!found) {
    if (r.database_given) {
      t.target_name = r.target.empty() ? "dev" : r.target;
      return t;
    }
    throw usage_error(
        "no profiles.yml for profile '" + r.profile + "' (looked in --profiles-dir, " +
        "$DBT_PROFILES_DIR, " + r.project_dir.string() + " and ~/.dbt); create " +
        (r.project_dir / kProfilesFile).string() + " with:\n  " + r.profile +
        ":\n    target: dev\n    outputs:\n      dev:\n        type: duckdb\n        path: " +
        r.profile + ".duckdb\nor pass --db FILE");
  }
  return parse_dbt_target(read_whole_file(*found), found->string(), r);
}

DbtTarget parse_dbt_target(const std::string& text, const std::string& file,
                           const ProfileRequest& r) {
  DbtTarget t;
  t.profile_name = r.profile;
  t.profiles_file = file;
  YamlNode root = parse_yaml(text, file);
  if (!root.IsMap()) throw usage_error(file + " is empty or not a mapping of profiles");
  const YamlNode& profile = root[r.profile];
  if (!profile) {
    std::vector<std::string> names = names_of(root);
    throw usage_error("profile '" + r.profile + "' is not in " + file +
                      did_you_mean(r.profile, names) + "; profiles there: " + join(names, ", ") +
                      " (dbt_project.yml's `profile:` names the one to use)");
  }
  expect_map(file, profile, "profile " + r.profile);
  const YamlNode& outputs = profile["outputs"];
  if (!outputs || !outputs.IsMap()) {
    yaml_fail(file, profile, "profile '" + r.profile + "' has no outputs:",
              "; add outputs: {dev: {type: duckdb, path: dev.duckdb}}");
  }
  t.target_name = r.target;
  if (t.target_name.empty()) {
    t.target_name = profile["target"] ? scalar_text(file, profile["target"], "target") : "dev";
  }
  const YamlNode& out = outputs[t.target_name];
  if (!out) {
    std::vector<std::string> names = names_of(outputs);
    throw usage_error("target '" + t.target_name + "' is not among profile '" + r.profile +
                      "' outputs in " + file + did_you_mean(t.target_name, names) +
                      "; targets: " + join(names, ", "));
  }
  expect_map(file, out, "target " + t.target_name);
  if (out["type"]) t.type = scalar_text(file, out["type"], "type");
  if (t.type != "duckdb") {
    yaml_fail(file, out["type"],
              "target '" + t.target_name + "' is of type '" + t.type +
                  "'; Baliza runs DuckDB targets only",
              "; add a `type: duckdb` output and pick it with --target");
  }
  t.path = out["path"] ? scalar_text(file, out["path"], "path") : ":memory:";
  if (out["schema"]) t.schema = scalar_text(file, out["schema"], "schema");
  if (out["threads"]) {
    std::string text = scalar_text(file, out["threads"], "threads");
    char* end = nullptr;
    long n = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || n < 1 || n > 64)
      yaml_fail(file, out["threads"], "threads must be a whole number from 1 to 64");
    t.threads = static_cast<int>(n);
  }
  if (const YamlNode& s = out["settings"]; s && s.IsMap()) {
    for (const YamlEntry& e : s.entries())
      t.settings[e.first.Scalar()] = scalar_text(file, e.second, "settings." + e.first.Scalar());
  }
  if (const YamlNode& x = out["extensions"]; x && x.IsSequence()) {
    for (const YamlNode& item : x.items()) {
      if (item.IsScalar())
        t.extensions.push_back(item.Scalar());
      else if (item.IsMap() && item["name"])
        t.extensions.push_back(item["name"].Scalar());
    }
  }
  t.database = duckdb_catalog_name(t.path);
  return t;
}

}  // namespace baliza::transform
