// dbt's Jinja context, registered into a render's Environment: ref, source, var, env_var,
// config (callable, .get, .require), this, target, is_incremental(), execute, adapter
// (dispatch with <adapter>__/default__ lookup and the project's dispatch config, quote,
// get_relation, get_columns_in_relation, type), run_query, statement blocks and
// load_result, log, print, exceptions (raise_compiler_error, warn), return, doc, modules
// (datetime, re-free), zip, set, fromjson/tojson, local_md5, api.Relation, graph, flags,
// model, invocation_id, run_started_at, and one namespace per macro package
// (dbt_utils.star(...)). Everything it does goes through the RenderContext's callbacks.
#pragma once

#include <string>
#include <vector>

#include "transform/template.h"
#include "transform/template/environment.h"

namespace baliza::transform {
class MacroLibrary;
}

namespace baliza::transform::tmpl {

// Binds dbt's context (and the engine's Jinja globals) to one render's `env`: the functions
// come from one shared, read-only environment built on first use (they read `ctx` through
// env.context when called); the values that depend on `ctx` (this, target, flags, ...) are
// made when the template first uses them. `ctx` and `library` (may be null) outlive `env`.
void install_dbt_context(Environment& env, const RenderContext& ctx, const MacroLibrary* library);

// The names install_dbt_context registers (for suggestions and the macro-call collector).
const std::vector<std::string>& dbt_context_names();

}  // namespace baliza::transform::tmpl
