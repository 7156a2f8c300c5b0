#include "transform/hooks.h"

#include "core/error.h"

namespace baliza::transform {

std::vector<std::string> node_hooks(const Node& node, bool post) {
  std::vector<std::string> out;
  const nlohmann::json& extra = node.config.extra;
  if (!extra.is_object()) return out;
  auto it = extra.find(post ? "post_hook" : "pre_hook");
  if (it == extra.end() || !it->is_array()) return out;
  for (const auto& h : *it) {
    if (h.is_string()) {
      out.push_back(h.get<std::string>());
    } else if (h.is_object() && h.contains("sql") && h["sql"].is_string()) {
      out.push_back(h["sql"].get<std::string>());
    }
  }
  return out;
}

void run_hooks(Connection& conn, const Compiler& compiler, const std::vector<std::string>& hooks,
               const Node* node, const std::string& label, const std::string& where) {
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    std::string name = label + "[" + std::to_string(i) + "] of " + where;
    std::string sql = compiler.render_text(hooks[i], name, node);
    if (sql.find_first_not_of(" \t\r\n;") == std::string::npos) continue;
    try {
      conn.execute(sql);
    } catch (const Error& e) {
      throw failure(name + " failed: " + e.what() + "\n  SQL: " + sql);
    }
  }
}

}  // namespace baliza::transform
