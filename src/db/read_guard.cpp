#include "db/read_guard.h"

#include <nlohmann/json.hpp>

#include <array>
#include <string>

#include "core/error.h"
#include "db/duckdb_api.h"

namespace baliza {
namespace {

// Table functions that only read the database or compute in memory.
constexpr std::array<std::string_view, 27> kAllowedTableFunctions = {"range",
                                                                     "generate_series",
                                                                     "unnest",
                                                                     "json_each",
                                                                     "json_tree",
                                                                     "repeat",
                                                                     "repeat_row",
                                                                     "duckdb_columns",
                                                                     "duckdb_constraints",
                                                                     "duckdb_databases",
                                                                     "duckdb_dependencies",
                                                                     "duckdb_functions",
                                                                     "duckdb_indexes",
                                                                     "duckdb_keywords",
                                                                     "duckdb_schemas",
                                                                     "duckdb_sequences",
                                                                     "duckdb_tables",
                                                                     "duckdb_types",
                                                                     "duckdb_views",
                                                                     "pragma_table_info",
                                                                     "pragma_database_size",
                                                                     "pragma_version",
                                                                     "pragma_platform",
                                                                     "pragma_show",
                                                                     "icu_calendar_names",
                                                                     "pg_timezone_names",
                                                                     "summary"};

// Scalar functions with a side effect.
constexpr std::array<std::string_view, 1> kRefusedScalarFunctions = {"write_log"};

bool allowed_table_function(const std::string& name) {
  for (auto allowed : kAllowedTableFunctions) {
    if (name == allowed) return true;
  }
  return false;
}

bool refused_scalar_function(const std::string& name) {
  for (auto refused : kRefusedScalarFunctions) {
    if (name == refused) return true;
  }
  return false;
}

// A name DuckDB could take for a file (replacement scans open 'x.csv', 'dir/y.parquet', ...).
bool looks_like_path(const std::string& name) {
  return name.find_first_of("./\\:~*?") != std::string::npos;
}

// Names of duckdb_statement_type (duckdb.h order).
std::string statement_type_name(duckdb_statement_type type) {
  static constexpr std::array<const char*, 28> kNames = {"an invalid statement",
                                                         "SELECT",
                                                         "INSERT",
                                                         "UPDATE",
                                                         "EXPLAIN",
                                                         "DELETE",
                                                         "PREPARE",
                                                         "CREATE",
                                                         "EXECUTE",
                                                         "ALTER",
                                                         "a transaction statement",
                                                         "COPY",
                                                         "ANALYZE",
                                                         "SET VARIABLE",
                                                         "CREATE FUNCTION",
                                                         "DROP",
                                                         "EXPORT",
                                                         "PRAGMA",
                                                         "VACUUM",
                                                         "CALL",
                                                         "SET",
                                                         "LOAD",
                                                         "a relation",
                                                         "INSTALL",
                                                         "a logical plan",
                                                         "ATTACH",
                                                         "DETACH",
                                                         "several statements"};
  auto i = static_cast<size_t>(type);
  return i < kNames.size() ? kNames[i] : "statement type " + std::to_string(i);
}

[[noreturn]] void refuse(const std::string& why) {
  throw usage_error("read-only access: " + why +
                    ". Only a single SELECT over the database's tables runs here (no writes, "
                    "ATTACH, INSTALL, COPY or file reads).");
}

void walk(const nlohmann::json& node) {
  if (node.is_array()) {
    for (const auto& child : node) walk(child);
    return;
  }
  if (!node.is_object()) return;
  auto type = node.find("type");
  if (type != node.end() && type->is_string()) {
    const std::string& t = type->get_ref<const std::string&>();
    if (t == "TABLE_FUNCTION") {
      std::string name =
          node.value("function", nlohmann::json::object()).value("function_name", "");
      if (!allowed_table_function(name)) refuse("the table function " + name + "() is not allowed");
    } else if (t == "BASE_TABLE") {
      std::string name = node.value("table_name", "");
      if (looks_like_path(name)) refuse("'" + name + "' names a file, not a table");
    }
  }
  auto cls = node.find("class");
  if (cls != node.end() && cls->is_string() && *cls == "FUNCTION") {
    std::string name = node.value("function_name", "");
    if (refused_scalar_function(name)) refuse("the function " + name + "() is not allowed");
  }
  for (const auto& [key, child] : node.items()) {
    if (child.is_structured()) walk(child);
  }
}

}  // namespace

bool is_single_select(Connection& conn, std::string_view sql) {
  const auto& api = duckdb_api();
  std::string text(sql);
  duckdb_prepared_statement stmt = nullptr;
  bool select = api.duckdb_prepare(conn.handle(), text.c_str(), &stmt) == DuckDBSuccess &&
                api.duckdb_prepared_statement_type(stmt) == DUCKDB_STATEMENT_TYPE_SELECT;
  api.duckdb_destroy_prepare(&stmt);
  return select;
}

// The parse tree of sql (json_serialize_sql: parsed, not bound); {"error": true, ...} when it
// does not parse.
static nlohmann::json parse_tree(Connection& conn, std::string_view sql) {
  PreparedStatement serialize = conn.prepare("SELECT json_serialize_sql($1::VARCHAR)");
  serialize.bind(1, sql);
  Result tree_result = serialize.execute();
  return nlohmann::json::parse(tree_result.get_string(0, 0), nullptr, false);
}

void check_read_only_statement(Connection& conn, std::string_view sql) {
  const auto& api = duckdb_api();
  std::string text(sql);
  // The parse tree first, so that a file read is refused before DuckDB binds the statement
  // (binding may fail for another reason, or touch the file's name); a statement that does not
  // parse is reported by the prepare below with DuckDB's own message.
  nlohmann::json tree = parse_tree(conn, sql);
  bool parsed = !tree.is_discarded() && tree.is_object() && !tree.value("error", true);
  if (parsed) walk(tree["statements"]);
  duckdb_prepared_statement stmt = nullptr;
  duckdb_state state = api.duckdb_prepare(conn.handle(), text.c_str(), &stmt);
  if (state == DuckDBError) {
    std::string message = api.duckdb_prepare_error(stmt);
    api.duckdb_destroy_prepare(&stmt);
    if (message.find("multiple statements") != std::string::npos) {
      refuse("send one statement at a time");
    }
    if (message.rfind("Permission Error", 0) == 0) {  // enable_external_access = false said no
      refuse(message.substr(0, message.find('\n')));
    }
    throw failure(message + "\n  in SQL: " + text.substr(0, 2000));
  }
  duckdb_statement_type type = api.duckdb_prepared_statement_type(stmt);
  api.duckdb_destroy_prepare(&stmt);
  if (type != DUCKDB_STATEMENT_TYPE_SELECT) {
    refuse("this is " + statement_type_name(type) + ", not a SELECT");
  }
  if (!parsed) {
    refuse("the statement could not be analysed (" +
           (tree.is_object() ? tree.value("error_message", std::string("unknown")) : "not JSON") +
           ")");
  }
}

}  // namespace baliza
