// Compilation: a model's (or singular test's) template rendered to the SQL that runs.
//
// ref() and source() become quoted relations ("staging"."x"); a ref to an ephemeral model
// becomes its CTE name, and the SQL of every ephemeral model the node reaches (through other
// ephemerals too) is injected as CTEs in dependency order, as dbt does: spliced into the
// node's own WITH when it has one, otherwise put in front of it. `prefix_lines` tells how many
// lines were inserted before the node's own second line, so DuckDB's "LINE n" maps back to
// the file. Trailing semicolons are removed so the SQL can be wrapped.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "transform/project.h"

namespace baliza {
class Connection;
}

namespace baliza::transform {

struct CompiledSql {
  std::string sql;
  int prefix_lines = 0;  // lines inserted before the node's own SQL (ephemeral CTEs)
};

// A batched build's view of its input: every ref to model `input` in the node's own template
// (and its macros) renders as `(SELECT * FROM <input> WHERE <filter>)`, so the model reads one
// slice of it. See transform/batched_build.h.
struct BatchWindow;  // transform/microbatch.h

struct BatchSlice {
  std::string input;   // the ref'd model's name (empty: none)
  std::string filter;  // SQL condition on the input's columns
  // A microbatch's window (transform/microbatch.h): every ref()/source() of a node with an
  // event_time config renders as that relation filtered to the window. nullptr: none.
  const BatchWindow* window = nullptr;
};

class Compiler {
 public:
  explicit Compiler(const Project& project)
      : project_(project), cache_(std::make_unique<Cache>()) {}

  // The node's template rendered alone (ephemeral refs as CTE names, no CTEs added).
  // Throws usage_error (missing var, unknown ref) with file:line:column.
  // `slice`: render the refs to slice->input as that slice (nullptr: as the whole relation).
  // With `conn`, templates may query the database (run_query, statement blocks,
  // adapter.get_columns_in_relation, dbt_utils.star, ...); without it they see none.
  std::string render(const Node& node, bool is_incremental, const BatchSlice* slice = nullptr,
                     Connection* conn = nullptr) const;

  // The full SQL: render() plus the ephemeral CTEs it needs.
  CompiledSql compile(const Node& node, bool is_incremental, const BatchSlice* slice = nullptr,
                      Connection* conn = nullptr) const;

  // A template that is not a node's file (a hook, an operation, a config value such as
  // batch_where, a generic test's call), rendered with the project's macros and vars, and,
  // with `node`, in that node's context (its refs, {{ this }}, config, is_incremental).
  // `file` labels errors ("dbt_project.yml on-run-start[0]", "models/x.sql pre_hook[1]").
  // With `conn`, the template may query the database (run_query, ...). `on_config` receives
  // the arguments of the config() calls made while rendering (a {% test %} macro's).
  std::string render_text(
      const std::string& text, const std::string& file, const Node* node,
      bool is_incremental = false, Connection* conn = nullptr,
      const std::function<void(const nlohmann::json&)>& on_config = nullptr) const;

 private:
  // The context every render of the project shares (refs, sources, vars, target, ...).
  RenderContext project_context() const;
  RenderContext context_for(const Node& node, bool is_incremental, const BatchSlice* slice) const;
  // node.config / the node's dict as dbt's `config` and `model` see them, made once per node.
  const nlohmann::json* node_info(const Node& node, std::string_view what) const;
  void collect_ephemerals(const Node& node, std::vector<const Node*>& out,
                          std::unordered_set<const Node*>& seen) const;
  // An ephemeral model is inlined into many consumers: render it once (thread-safe).
  const std::string& ephemeral_sql(const Node& node) const;
  struct Cache {
    std::mutex mutex;
    std::unordered_map<const Node*, std::string> ephemeral_sql;
    std::unordered_map<const Node*, std::pair<nlohmann::json, nlohmann::json>> node_info;
  };
  const Project& project_;
  std::unique_ptr<Cache> cache_;
};

// `sql` without trailing whitespace and semicolons.
std::string trim_sql_end(std::string sql);

}  // namespace baliza::transform
