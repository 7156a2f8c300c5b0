// Jinja in the config values of dbt_project.yml, rendered as dbt renders them.
//
//   seeds:
//     my_project:
//       raw: {+enabled: "{{ var('load_raw', false) }}"}
//   models:
//     my_project: {+schema: "{{ 'prod' if target.name == 'prod' else 'dev' }}"}
//
// dbt renders every such value when it reads the project, with `var` (--vars and the
// project's vars), `env_var` and `target`, and takes the result natively: "True"/"False" are
// booleans, digits numbers, "None" null. Hooks (+pre-hook/+post-hook) are not rendered here:
// they render per node when it runs (with `this`).
//
// parse_folder_config keeps such values as written (is_config_template); the loader calls
// render_config_templates once the target and vars are known, before any config is applied.
// A value that fails to render, or renders to something the key does not accept, is a usage
// error naming dbt_project.yml, the key's path and what it rendered to.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "transform/project_settings.h"

namespace baliza::transform {

// True for a string value with '{{' or '{%' under a key rendered at load (not a hook).
bool is_config_template(std::string_view key, const nlohmann::json& value);

// Renders the templated values of the models/seeds/tests/snapshots/sources trees in place and
// checks them (normalize_config_entry). `target` may be null (no profile).
void render_config_templates(ProjectSettings& settings, const nlohmann::json& vars,
                             const nlohmann::json* target);

// Renders the templated values of one yml config patch (a model's or a test's `config:`),
// except `where` (rendered when the test runs), and checks them; `where` labels errors
// ("models/schema.yml: test accepted_values config"). Throws usage_error.
void render_config_patch(ConfigPatch& patch, ResourceType type, const nlohmann::json& vars,
                         const nlohmann::json* target, const std::string& where);

// The native value of a rendered text, as dbt's native Jinja takes it: true/false, an
// integer or a float, null, a list / dict / quoted string as Python prints it
// (python_literal.h), else the text itself.
nlohmann::json native_value(const std::string& rendered);

}  // namespace baliza::transform
