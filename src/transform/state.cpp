#include "transform/state.h"

#include "core/error.h"
#include "core/sha256.h"
#include "transform/template_macro.h"

namespace baliza::transform {
namespace {

std::string render_neutral(const Template& t, const nlohmann::json& vars, bool incremental) {
  RenderContext ctx;
  ctx.resolve_ref = [](const TemplateRef& r) -> std::optional<std::string> {
    return "__ref(" + r.package + "." + r.name + ")__";
  };
  ctx.resolve_source = [](const TemplateSource& s) -> std::optional<std::string> {
    return "__source(" + s.source_name + "." + s.table_name + ")__";
  };
  ctx.vars = &vars;
  ctx.is_incremental = incremental;
  ctx.this_relation = "__this__";
  try {
    return t.render(ctx);
  } catch (const Error& e) {
    // A template that cannot render (e.g. a missing var) still gets a stable fingerprint.
    return t.source() + "\n-- render error: " + e.what();
  }
}

}  // namespace

std::string state_checksum(const Node& node, const nlohmann::json& vars) {
  std::string material;
  if (node.tmpl) {
    material = render_neutral(*node.tmpl, vars, false);
    if (node.tmpl->uses_is_incremental()) {
      material += "\n-- incremental branch --\n" + render_neutral(*node.tmpl, vars, true);
    }
    // The macros it calls as written: a change in a branch the render did not take counts too.
    if (const MacroLibrary* library = node.tmpl->macro_library()) {
      for (const std::string& name : node.tmpl->macros()) {
        if (const Macro* m = library->find(name)) material += "\n-- macro --\n" + m->sql;
      }
    }
  } else if (node.is_generic_test) {
    material = node.test_metadata.test_name + "|" + node.attached_node + "|" +
               node.test_metadata.column_name + "|" + node.test_metadata.kwargs.dump();
  } else {
    material = node.checksum;  // seeds (file bytes) and sources (yml definition)
  }
  material += "\n-- config --\n" + node.config.to_json().dump();
  return sha256_hex(material);
}

std::map<std::string, std::string> state_checksums(const Project& project) {
  std::map<std::string, std::string> out;
  for (const Node& n : project.nodes) out.emplace(n.unique_id, state_checksum(n, project.vars));
  return out;
}

}  // namespace baliza::transform
