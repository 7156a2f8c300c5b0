#include "transform/dbt_naming.h"

#include "core/error.h"
#include "transform/jinja_literal.h"
#include "transform/template_macro.h"
#include "transform/text_util.h"

namespace baliza::transform {
namespace {

std::string trim(std::string s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

nlohmann::json node_dict(const Node& n) {
  return {{"name", n.name},
          {"resource_type", std::string(to_string(n.resource_type))},
          {"unique_id", n.unique_id},
          {"fqn", n.fqn},
          {"path", n.path},
          {"original_file_path", n.original_file_path},
          {"package_name", n.package_name},
          {"config", n.config.to_json()}};
}

class Namer {
 public:
  Namer(const Project& p, const DbtTarget& t) : project_(p), target_(t) {}

  std::string schema(const Node& n, const std::string& custom) const {
    if (auto v = override_call("generate_schema_name", custom, n)) return *v;
    return custom.empty() ? target_.schema : target_.schema + "_" + trim(custom);
  }
  std::string alias(const Node& n) const {
    if (auto v = override_call("generate_alias_name", n.config.alias, n)) return *v;
    return n.config.alias.empty() ? n.name : trim(n.config.alias);
  }
  std::string database(const Node& n) const {
    if (auto v = override_call("generate_database_name", n.config.database, n)) return *v;
    return n.config.database.empty() ? target_.database : trim(n.config.database);
  }

 private:
  std::optional<std::string> override_call(const char* macro, const std::string& custom,
                                           const Node& n) const {
    const Macro* m = project_.macros->find(macro);
    if (m == nullptr) return std::nullopt;
    std::string call = std::string("{{ ") + macro + "(" +
                       (custom.empty() ? std::string("none") : nlohmann::json(custom).dump()) +
                       ", " + jinja_literal(node_dict(n)) + ") }}";
    Template t = Template::parse(call, m->file + " (" + macro + " for " + n.unique_id + ")");
    t.link_macros(project_.macros);
    RenderContext ctx;
    ctx.vars = &project_.vars;
    ctx.this_relation = n.name;
    ctx.project_name = project_.settings.name;
    ctx.target = &project_.target;
    ctx.dispatch = &project_.settings.dispatch;
    return trim(t.render(ctx));
  }

  const Project& project_;
  const DbtTarget& target_;
};

}  // namespace

void apply_dbt_naming(Project& project, const DbtTarget& target) {
  project.target = target.to_json();
  Namer namer(project, target);
  for (Node& n : project.nodes) {
    if (n.resource_type == ResourceType::kSource) {
      if (!n.config.database.empty()) n.database = n.config.database;
      continue;
    }
    std::string custom = n.config.schema;
    if (n.resource_type == ResourceType::kTest && custom.empty()) custom = "dbt_test__audit";
    n.schema = namer.schema(n, custom);
    // Snapshots' legacy target_schema / target_database are used verbatim.
    if (n.resource_type == ResourceType::kSnapshot && n.config.extra.is_object()) {
      if (auto it = n.config.extra.find("target_schema");
          it != n.config.extra.end() && it->is_string())
        n.schema = it->get<std::string>();
    }
    n.identifier = namer.alias(n);
    std::string db = namer.database(n);
    // Only a database other than the target's is spelled out: the target's is the default
    // catalog, whatever file --db opens.
    n.database = db == target.database ? std::string() : db;
  }
}

}  // namespace baliza::transform
