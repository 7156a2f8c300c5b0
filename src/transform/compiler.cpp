#include "transform/compiler.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "core/error.h"
#include "transform/microbatch.h"
#include "transform/relation.h"
#include "transform/template_database.h"

namespace baliza::transform {
namespace {

bool is_ephemeral(const Node& n) {
  return n.resource_type == ResourceType::kModel && n.config.materialized == "ephemeral";
}

// Offset of the first keyword after leading whitespace and comments.
std::size_t skip_leading_comments(const std::string& sql) {
  std::size_t i = 0;
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (sql.compare(i, 2, "--") == 0) {
      std::size_t nl = sql.find('\n', i);
      i = nl == std::string::npos ? sql.size() : nl + 1;
    } else if (sql.compare(i, 2, "/*") == 0) {
      std::size_t end = sql.find("*/", i + 2);
      i = end == std::string::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

bool keyword_at(const std::string& sql, std::size_t at, std::string_view word) {
  if (sql.size() < at + word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(sql[at + k])) != word[k]) return false;
  }
  std::size_t end = at + word.size();
  return end == sql.size() ||
         !(std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_');
}

int count_lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

std::string trim_sql_end(std::string sql) {
  while (!sql.empty() &&
         (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
    sql.pop_back();
  return sql;
}

std::string Compiler::render_text(
    const std::string& text, const std::string& file, const Node* node, bool is_incremental,
    Connection* conn, const std::function<void(const nlohmann::json&)>& on_config) const {
  Template t = Template::parse(text, file);
  t.link_macros(project_.macros, &project_.vars);
  RenderContext ctx =
      node != nullptr ? context_for(*node, is_incremental, nullptr) : project_context();
  if (conn != nullptr) bind_database(ctx, *conn);
  if (on_config) ctx.on_config = on_config;
  return trim_sql_end(t.render(ctx));
}

RenderContext Compiler::project_context() const {
  RenderContext ctx;
  // Outside a node (a hook, an analysis, a workflow's SQL): refs and sources name their
  // relations; an ephemeral model has none.
  ctx.resolve_ref = [this](const TemplateRef& r) -> std::optional<std::string> {
    const Node* target = project_.find_ref(r.name);
    if (target == nullptr || is_ephemeral(*target)) return std::nullopt;
    if (auto d = project_.deferred.find(target->unique_id); d != project_.deferred.end())
      return d->second;
    return relation_sql(*target);
  };
  ctx.resolve_source = [this](const TemplateSource& s) -> std::optional<std::string> {
    const Node* target = project_.find_source(s.source_name, s.table_name);
    if (target == nullptr) return std::nullopt;
    return relation_sql(*target);
  };
  ctx.vars = &project_.vars;
  ctx.project_name = project_.settings.name;
  if (!project_.target.is_null()) ctx.target = &project_.target;
  ctx.dispatch = &project_.settings.dispatch;
  return ctx;
}

const nlohmann::json* Compiler::node_info(const Node& node, std::string_view what) const {
  std::lock_guard<std::mutex> lock(cache_->mutex);
  auto it = cache_->node_info.find(&node);
  if (it == cache_->node_info.end()) {
    nlohmann::json config = node.config.to_json();
    nlohmann::json model = {{"name", node.name},
                            {"unique_id", node.unique_id},
                            {"resource_type", std::string(to_string(node.resource_type))},
                            {"package_name", node.package_name},
                            {"path", node.path},
                            {"original_file_path", node.original_file_path},
                            {"fqn", node.fqn},
                            {"alias", node.identifier.empty() ? node.name : node.identifier},
                            {"schema", node.schema},
                            {"config", config}};
    it =
        cache_->node_info.emplace(&node, std::make_pair(std::move(config), std::move(model))).first;
  }
  // Entries are never erased: the pointer stays valid as long as the compiler.
  return what == "config" ? &it->second.first : &it->second.second;
}

RenderContext Compiler::context_for(const Node& node, bool is_incremental,
                                    const BatchSlice* slice) const {
  RenderContext ctx = project_context();
  // In a node, a ref to an ephemeral model is its CTE (compile() adds it).
  ctx.resolve_ref = [this, slice](const TemplateRef& r) -> std::optional<std::string> {
    const Node* target = project_.find_ref(r.name);
    if (target == nullptr) return std::nullopt;
    auto deferred = project_.deferred.find(target->unique_id);
    std::string rel = is_ephemeral(*target)                 ? ephemeral_cte_name(*target)
                      : deferred != project_.deferred.end() ? deferred->second
                                                            : relation_sql(*target);
    if (slice != nullptr && !slice->input.empty() && target == project_.find_ref(slice->input)) {
      return "(SELECT * FROM " + rel + " WHERE " + slice->filter + ")";
    }
    if (slice != nullptr && slice->window != nullptr) {
      std::string event_time = event_time_of(*target);
      if (!event_time.empty()) return event_time_subquery(rel, event_time, *slice->window);
    }
    return rel;
  };
  if (slice != nullptr && slice->window != nullptr) {
    ctx.resolve_source = [this, slice](const TemplateSource& s) -> std::optional<std::string> {
      const Node* target = project_.find_source(s.source_name, s.table_name);
      if (target == nullptr) return std::nullopt;
      std::string event_time = event_time_of(*target);
      if (event_time.empty()) return relation_sql(*target);
      return event_time_subquery(relation_sql(*target), event_time, *slice->window);
    };
  }
  ctx.is_incremental = is_incremental;
  ctx.this_relation = relation_sql(node);
  ctx.node_info = [this, &node](std::string_view what) { return node_info(node, what); };
  return ctx;
}

std::string Compiler::render(const Node& node, bool is_incremental, const BatchSlice* slice,
                             Connection* conn) const {
  if (!node.tmpl) return node.raw_code;
  RenderContext ctx = context_for(node, is_incremental, slice);
  if (conn != nullptr) bind_database(ctx, *conn);
  return trim_sql_end(node.tmpl->render(ctx));
}

void Compiler::collect_ephemerals(const Node& node, std::vector<const Node*>& out,
                                  std::unordered_set<const Node*>& seen) const {
  for (const TemplateRef& r : node.refs) {
    const Node* target = project_.find_ref(r.name);
    if (target == nullptr || !is_ephemeral(*target) || target == &node) continue;
    if (!seen.insert(target).second) continue;
    collect_ephemerals(*target, out, seen);  // its own ephemerals first: CTEs may only look back
    out.push_back(target);
  }
}

const std::string& Compiler::ephemeral_sql(const Node& node) const {
  {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    auto it = cache_->ephemeral_sql.find(&node);
    if (it != cache_->ephemeral_sql.end()) return it->second;
  }
  std::string sql = render(node, false);
  std::lock_guard<std::mutex> lock(cache_->mutex);
  return cache_->ephemeral_sql.emplace(&node, std::move(sql)).first->second;
}

CompiledSql Compiler::compile(const Node& node, bool is_incremental, const BatchSlice* slice,
                              Connection* conn) const {
  CompiledSql out;
  std::string own = render(node, is_incremental, slice, conn);
  std::vector<const Node*> ephemerals;
  std::unordered_set<const Node*> seen;
  collect_ephemerals(node, ephemerals, seen);
  if (ephemerals.empty()) {
    out.sql = std::move(own);
    return out;
  }
  std::string ctes;
  for (const Node* e : ephemerals) {
    if (!ctes.empty()) ctes += ",\n";
    ctes += ephemeral_cte_name(*e);
    ctes += " as (\n";
    ctes += ephemeral_sql(*e);
    ctes += "\n)";
  }
  std::size_t start = skip_leading_comments(own);
  if (keyword_at(own, start, "with") &&
      !keyword_at(own, skip_leading_comments(own.substr(start + 4)) + start + 4, "recursive")) {
    std::string head = own.substr(0, start) + "with " + ctes + ",\n";
    out.prefix_lines = count_lines(head) - count_lines(own.substr(0, start));
    out.sql = head + own.substr(start + 4);
  } else if (keyword_at(own, start, "select") || keyword_at(own, start, "from")) {
    std::string head = "with " + ctes + "\n";
    out.prefix_lines = count_lines(head);
    out.sql = head + own;
  } else {
    std::string head = "with " + ctes + "\nselect * from (\n";
    out.prefix_lines = count_lines(head);
    out.sql = head + own + "\n) as __dbt__model";
  }
  return out;
}

}  // namespace baliza::transform
