#include "transform/validate.h"

#include <filesystem>
#include <unordered_set>

#include "core/error.h"
#include "db/migrations.h"
#include "db/payload_functions.h"
#include "transform/compiler.h"
#include "transform/contract.h"
#include "transform/data_tests.h"
#include "transform/relation.h"
#include "transform/seed_loader.h"
#include "transform/sql_error.h"

namespace baliza::transform {
namespace {

class Validator {
 public:
  Validator(const Project& project, const Dag& dag, const ValidatedModel& on_model)
      : on_model_(on_model),
        project_(project),
        dag_(dag),
        compiler_(project),
        // One thread: every statement here is tiny, and waking DuckDB's worker threads for
        // each one costs more than the statement itself.
        db_(Database::open(":memory:", {.threads = "1"})),
        conn_(db_) {}

  std::vector<ValidationIssue> run(const std::optional<std::string>& warehouse,
                                   const ValidationFinished& on_finish) {
    // Models over the raw store call baliza_payload(), as in a build.
    register_payload_functions(conn_, std::size_t{256} << 20);
    if (warehouse && std::filesystem::exists(*warehouse)) {
      mirror_warehouse(*warehouse);
    } else {
      // No database yet: Baliza's own tables (raw.*, planning.*, meta.*) as `baliza init`
      // creates them, so projects over the raw store validate before the first extraction.
      apply_migrations(conn_);
      for (const char* s : {"raw", "planning", "runtime", "meta", "lineage"}) schemas_.insert(s);
      Result r = conn_.query(
          "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = "
          "current_database()");
      for (std::size_t i = 0; i < r.row_count(); ++i) existing_.insert(r.get_string(0, i));
    }
    for (std::size_t i : dag_.topological_order()) check(i);
    check_orphans();
    if (on_finish) {
      for (ValidationIssue& issue : on_finish(conn_)) issues_.push_back(std::move(issue));
    }
    return std::move(issues_);
  }

 private:
  void ensure_schema(const std::string& schema) {
    if (schemas_.insert(schema).second)
      conn_.execute("CREATE SCHEMA IF NOT EXISTS " + quote_identifier(schema));
  }

  void mirror_warehouse(const std::string& path) {
    conn_.execute("ATTACH " + quote_literal(path) + " AS __warehouse (READ_ONLY)");
    Result r = conn_.query(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = '__warehouse'");
    std::unordered_set<std::string> own;  // the project rebuilds these from its own SQL
    for (std::size_t i = 0; i < dag_.size(); ++i) {
      const Node& n = dag_.node(i);
      if (n.resource_type == ResourceType::kModel || n.resource_type == ResourceType::kSeed)
        own.insert(node_schema(n) + "." + node_identifier(n));
    }
    for (std::size_t row = 0; row < r.row_count(); ++row) {
      std::string schema = r.get_string(0, row), table = r.get_string(1, row);
      if (own.count(schema + "." + table) > 0) continue;
      existing_.insert(schema + "." + table);
      ensure_schema(schema);
      conn_.execute("CREATE OR REPLACE VIEW " + quote_identifier(schema) + "." +
                    quote_identifier(table) + " AS SELECT * FROM __warehouse." +
                    quote_identifier(schema) + "." + quote_identifier(table));
    }
  }

  bool upstream_failed(std::size_t i) {
    for (std::size_t p : dag_.parents(i)) {
      if (failed_.count(p) > 0) {
        failed_.insert(i);
        issues_.push_back(
            {dag_.node(i).original_file_path,
             dag_.node(i).name + " not checked: upstream " + dag_.node(p).name + " is invalid",
             false});
        return true;
      }
    }
    return false;
  }

  void check(std::size_t i) {
    const Node& n = dag_.node(i);
    if (upstream_failed(i)) return;
    int prefix = 0;
    try {
      switch (n.resource_type) {
        case ResourceType::kSource:
          check_source(n);
          break;
        case ResourceType::kSeed:
          check_seed(n);
          break;
        case ResourceType::kTest:
          bind_scratch(test_sql(project_, compiler_, n));
          break;
        case ResourceType::kModel:
          check_model(n, prefix);
          break;
        case ResourceType::kSnapshot:  // its SELECT binds like a model's
          check_model(n, prefix);
          break;
      }
    } catch (const Error& e) {
      failed_.insert(i);
      std::string message = duckdb_message(e);
      std::string where = n.is_generic_test ? format_pos(n.patch_path, n.patch_pos)
                                            : error_location(n, message, prefix);
      issues_.push_back(
          {where, std::string(to_string(n.resource_type)) + " " + n.name + ": " + message});
    }
  }

  void check_source(const Node& n) {
    std::string schema = node_schema(n);
    if (existing_.count(schema + "." + n.identifier) > 0) return;
    if (n.columns.empty()) {
      throw usage_error("source table " + schema + "." + n.identifier +
                        " is not in the database and its yml declares no columns; load it "
                        "first or declare its columns (with data_type) in " +
                        n.patch_path);
    }
    std::string cols;
    for (const ColumnSpec& c : n.columns) {
      if (!cols.empty()) cols += ", ";
      cols += quote_identifier(c.name) + " " + (c.data_type.empty() ? "VARCHAR" : c.data_type);
    }
    ensure_schema(schema);
    conn_.execute("CREATE TABLE " + relation_sql(n) + " (" + cols + ")");
  }

  void check_seed(const Node& n) {
    ensure_schema(node_schema(n));
    std::filesystem::path path = std::filesystem::path(project_.root) / n.original_file_path;
    if (std::filesystem::exists(path)) {
      conn_.execute("CREATE OR REPLACE TABLE " + relation_sql(n) + " AS " +
                    seed_select_sql(n, path.string()) + " LIMIT 0");
    } else {
      load_seed(conn_, project_, n);  // embedded: written to a temp file, scratch db only
    }
  }

  void check_model(const Node& n, int& prefix) {
    CompiledSql full = compiler_.compile(n, false);
    prefix = full.prefix_lines;
    if (n.config.materialized == "ephemeral") {
      bind_scratch(full.sql);
    } else {
      // An empty table with the model's columns and types, whatever its materialization:
      // models downstream bind against it alone. A view would make DuckDB bind its whole
      // upstream again for every reader, which grows exponentially with a deep DAG of views.
      ensure_schema(node_schema(n));
      conn_.execute("CREATE OR REPLACE TABLE " + relation_sql(n) + " AS " + full.sql +
                    "\nWITH NO DATA");
    }
    if (n.tmpl && n.tmpl->uses_is_incremental() && n.config.materialized == "incremental") {
      CompiledSql incremental = compiler_.compile(n, true);
      prefix = incremental.prefix_lines;
      bind_scratch(incremental.sql);
    }
    if (contract_enforced(n)) {
      for (const std::string& problem : contract_problems(conn_, n, bound_columns(conn_, full.sql)))
        issues_.push_back(
            {n.patch_path.empty() ? n.original_file_path : format_pos(n.patch_path, n.patch_pos),
             "model " + n.name + ": " + problem});
    }
    if (on_model_) {
      for (ValidationIssue& issue : on_model_(n, full.sql, full.prefix_lines, conn_))
        issues_.push_back(std::move(issue));
    }
  }

  // Models with no input from the project and no reader; sources nothing reads.
  void check_orphans() {
    for (std::size_t i = 0; i < dag_.size(); ++i) {
      const Node& n = dag_.node(i);
      if (n.resource_type != ResourceType::kModel && n.resource_type != ResourceType::kSource)
        continue;
      bool read = false;
      for (std::size_t c : dag_.children(i))
        read |= dag_.node(c).resource_type != ResourceType::kTest;
      if (read) continue;
      if (n.resource_type == ResourceType::kSource) {
        issues_.push_back({format_pos(n.patch_path, n.patch_pos),
                           "source " + n.source_name + "." + n.name +
                               " is declared but nothing reads it; read it with {{ source('" +
                               n.source_name + "', '" + n.name + "') }} or remove it from " +
                               n.patch_path});
      } else if (dag_.parents(i).empty()) {
        issues_.push_back({n.original_file_path + ":1",
                           "model " + n.name +
                               " is orphaned: it reads nothing from the project (no ref() or "
                               "source()) and nothing reads it; ref() its inputs and its "
                               "readers, or remove it"});
      }
    }
  }

  // Binds (and plans) without running or keeping anything.
  void bind_scratch(const std::string& sql) { conn_.prepare(sql); }

  const ValidatedModel& on_model_;
  const Project& project_;
  const Dag& dag_;
  Compiler compiler_;
  std::shared_ptr<Database> db_;
  Connection conn_;
  std::unordered_set<std::string> schemas_{"main"};
  std::unordered_set<std::string> existing_;  // schema.table mirrored from the warehouse
  std::unordered_set<std::size_t> failed_;
  std::vector<ValidationIssue> issues_;
};

}  // namespace

std::vector<ValidationIssue> validate_project(const Project& project, const Dag& dag,
                                              const std::optional<std::string>& warehouse,
                                              const ValidatedModel& on_model,
                                              const ValidationFinished& on_finish) {
  Validator v(project, dag, on_model);
  return v.run(warehouse, on_finish);
}

}  // namespace baliza::transform
