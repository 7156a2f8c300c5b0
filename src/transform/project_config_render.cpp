#include "transform/project_config_render.h"

#include <cctype>
#include <cstdlib>

#include "core/error.h"
#include "transform/python_literal.h"
#include "transform/template.h"

namespace baliza::transform {
namespace {

bool is_hook(std::string_view key) {
  return key == "pre-hook" || key == "pre_hook" || key == "post-hook" || key == "post_hook";
}

std::string trimmed(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Renders one config value holding Jinja, with the project's vars and the profile's target,
// and replaces it by the native value it prints, checked as `key` of a `type`. `source` names
// the template in Jinja errors; `label` starts every message (file, path, key); `hint` ends the
// message of a value that renders to something the key does not accept. Throws usage_error.
void render_value(nlohmann::json& value, ResourceType type, const std::string& key,
                  const nlohmann::json& vars, const nlohmann::json* target,
                  const std::string& source, const std::string& label, const std::string& hint) {
  std::string text = value.get<std::string>();
  RenderContext ctx;
  ctx.vars = &vars;
  ctx.target = target;
  std::string rendered;
  try {
    rendered = Template::parse(text, source).render(ctx);
  } catch (const Error& e) {
    throw usage_error(label + ": " + e.what());
  }
  value = native_value(rendered);
  if (auto problem = normalize_config_entry(type, key, value)) {
    throw usage_error(label + ": " + *problem + " (it rendered '" + text + "' to '" +
                      trimmed(rendered) + "'" + hint + ")");
  }
}

struct Renderer {
  const nlohmann::json& vars;
  const nlohmann::json* target;
  const std::string& file;

  void walk(FolderConfig& folder, ResourceType type, const std::string& where) {
    for (auto& [key, value] : folder.config) {
      if (!is_config_template(key, value)) continue;
      render_value(value, type, key, vars, target, file, file + ": " + where + " +" + key,
                   "; check the vars and env vars it reads");
    }
    for (auto& [name, child] : folder.children) walk(child, type, where + "." + name);
  }
};

}  // namespace

bool is_config_template(std::string_view key, const nlohmann::json& value) {
  if (is_hook(key) || !value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  return s.find("{{") != std::string::npos || s.find("{%") != std::string::npos;
}

nlohmann::json native_value(const std::string& rendered) {
  std::string t = trimmed(rendered);
  if (t == "True" || t == "true") return true;
  if (t == "False" || t == "false") return false;
  if (t == "None" || t == "none" || t == "null") return nullptr;
  // A list, tuple, dict or quoted string as Python prints it ({{ var('codes') }} of a list).
  if (!t.empty() && std::string_view("[({'\"").find(t[0]) != std::string_view::npos) {
    if (auto literal = parse_python_literal(t)) return *literal;
  }
  if (!t.empty()) {
    const char* begin = t.c_str();
    char* end = nullptr;
    long long as_int = std::strtoll(begin, &end, 10);
    if (end != nullptr && *end == '\0' && !std::isspace(static_cast<unsigned char>(t[0])))
      return as_int;
    double as_double = std::strtod(begin, &end);
    if (end != nullptr && *end == '\0' &&
        (std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '-' || t[0] == '.'))
      return as_double;
  }
  return rendered;
}

void render_config_patch(ConfigPatch& patch, ResourceType type, const nlohmann::json& vars,
                         const nlohmann::json* target, const std::string& where) {
  for (auto& [key, value] : patch) {
    if (key == "where" || !is_config_template(key, value)) continue;
    render_value(value, type, key, vars, target, where, where + " " + key, "");
  }
}

void render_config_templates(ProjectSettings& settings, const nlohmann::json& vars,
                             const nlohmann::json* target) {
  Renderer r{vars, target, settings.file};
  r.walk(settings.models, ResourceType::kModel, "models");
  r.walk(settings.seeds, ResourceType::kSeed, "seeds");
  r.walk(settings.tests, ResourceType::kTest, "data_tests");
  r.walk(settings.snapshots, ResourceType::kModel, "snapshots");
  r.walk(settings.sources, ResourceType::kSource, "sources");
}

}  // namespace baliza::transform
