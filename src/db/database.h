// RAII wrappers over the DuckDB C API: database, connection, results, prepared statements,
// the appender and scalar UDFs. Every failure throws baliza::Error with DuckDB's message and
// the SQL (or table) involved. A file locked by another process is an environment error
// (exit 3) naming the holder's PID and command line.
//
// Thread-safety: a Database may be shared; a Connection, its statements and appenders belong to
// one thread at a time (Baliza routes all writes through one connection, see DESIGN.md).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baliza {

struct OpenOptions {
  bool read_only = false;
  bool create_parent_dirs = true;  // mkdir -p the folder of the database file
  std::string threads;             // DuckDB "threads" setting; empty = DuckDB's default
  std::string memory_limit;        // DuckDB "memory_limit"; empty = DuckDB's default
  bool external_access = true;     // false: DuckDB's enable_external_access=false (no file I/O)
  // When another process holds the file: 0 fail at once (LockConflict, exit 3), > 0 retry for
  // that many seconds, < 0 retry until it is released.
  double wait_seconds = 0;
};

class Database {
 public:
  // Opens (creating if needed) the file at path; ":memory:" opens an in-memory database.
  static std::shared_ptr<Database> open(const std::string& path, const OpenOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }
  duckdb_database handle() const { return db_; }

 private:
  static std::shared_ptr<Database> open_once(const std::string& path, const OpenOptions& options);
  Database(std::string path, duckdb_database db) : path_(std::move(path)), db_(db) {}
  std::string path_;
  duckdb_database db_;
};

// A materialized query result with typed access by (column, row).
class Result {
 public:
  explicit Result(duckdb_result result) : result_(result) {}
  ~Result();
  Result(Result&& other) noexcept;
  Result& operator=(Result&&) = delete;
  Result(const Result&) = delete;

  size_t column_count();
  size_t row_count();
  size_t rows_changed();
  std::string column_name(size_t col);
  duckdb_type column_type(size_t col);
  bool is_null(size_t col, size_t row);
  std::string get_string(size_t col, size_t row);  // any type, cast to text; "" for NULL
  int64_t get_int64(size_t col, size_t row);
  double get_double(size_t col, size_t row);
  bool get_bool(size_t col, size_t row);
  std::string get_blob(size_t col, size_t row);
  std::optional<std::string> get_optional_string(size_t col, size_t row);

 private:
  duckdb_result result_;
  bool moved_ = false;
};

class PreparedStatement {
 public:
  PreparedStatement(duckdb_prepared_statement stmt, std::string sql)
      : stmt_(stmt), sql_(std::move(sql)) {}
  ~PreparedStatement();
  PreparedStatement(PreparedStatement&& other) noexcept;
  PreparedStatement(const PreparedStatement&) = delete;

  // Parameters are 1-based as in SQL ($1, ?).
  PreparedStatement& bind(size_t index, std::string_view value);
  PreparedStatement& bind(size_t index, const char* value) {
    return bind(index, std::string_view(value));
  }
  PreparedStatement& bind(size_t index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  PreparedStatement& bind(size_t index, int64_t value);
  PreparedStatement& bind(size_t index, int value) {
    return bind(index, static_cast<int64_t>(value));
  }
  PreparedStatement& bind(size_t index, double value);
  PreparedStatement& bind(size_t index, bool value);
  PreparedStatement& bind_blob(size_t index, std::string_view bytes);
  PreparedStatement& bind_null(size_t index);
  template <typename T>
  PreparedStatement& bind(size_t index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  Result execute();

 private:
  duckdb_prepared_statement stmt_;
  std::string sql_;
};

class Appender {
 public:
  Appender(duckdb_appender appender, std::string table)
      : app_(appender), table_(std::move(table)) {}
  ~Appender();
  Appender(Appender&& other) noexcept;
  Appender(const Appender&) = delete;

  Appender& append(std::string_view value);
  Appender& append(const char* value) { return append(std::string_view(value)); }
  Appender& append(const std::string& value) { return append(std::string_view(value)); }
  Appender& append(int64_t value);
  Appender& append(int value) { return append(static_cast<int64_t>(value)); }
  Appender& append(double value);
  Appender& append(bool value);
  Appender& append_blob(std::string_view bytes);
  Appender& append_null();
  template <typename T>
  Appender& append(const std::optional<T>& value) {
    return value ? append(*value) : append_null();
  }
  void end_row();
  void flush();
  void close();  // flushes; errors surface here rather than in the destructor

 private:
  void check(duckdb_state state, const char* what);
  duckdb_appender app_;
  std::string table_;
};

// A scalar function callable from SQL. The body gets the input chunk and writes the output
// vector; throw baliza::Error (or any std::exception) to fail the query with that message.
struct ScalarFunction {
  std::string name;
  std::vector<duckdb_type> parameters;
  duckdb_type return_type;
  std::function<void(duckdb_data_chunk input, duckdb_vector output)> body;
};

class Connection {
 public:
  explicit Connection(std::shared_ptr<Database> db);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Result query(std::string_view sql);
  // For showing a result to a person: a single SELECT whose columns include types the C API
  // cannot render as text (lists, structs, maps, UUID, TIMESTAMP WITH TIME ZONE, ...) runs with
  // those columns cast to VARCHAR (DuckDB's own text form); anything else runs as query().
  Result query_as_text(std::string_view sql);
  // The SQL query_as_text runs: sql itself, or a SELECT over it casting such columns to VARCHAR.
  std::string text_safe_sql(std::string_view sql);
  void execute(std::string_view sql) { query(sql); }
  PreparedStatement prepare(std::string_view sql);
  Appender appender(const std::string& schema, const std::string& table);
  void register_scalar_function(ScalarFunction function);
  void interrupt();

  // Select-only mode, for code this process runs on behalf of another one (a read socket's
  // procedure, db/read_server.h): while on, query() and prepare() refuse, with a usage error
  // (exit 2), every statement that DuckDB does not prepare as exactly one SELECT (its statement
  // type, not string matching), and appender() is refused. Off by default.
  void set_select_only(bool on) { select_only_ = on; }
  bool select_only() const { return select_only_; }

  // Runs body inside BEGIN/COMMIT; rolls back and rethrows if it throws.
  void transaction(const std::function<void()>& body);

  // Convenience: the first column of the first row as text (nullopt when no row or NULL).
  std::optional<std::string> scalar(std::string_view sql);

  Database& database() { return *db_; }
  duckdb_connection handle() const { return conn_; }

 private:
  std::shared_ptr<Database> db_;
  duckdb_connection conn_ = nullptr;
  std::vector<std::unique_ptr<ScalarFunction>> functions_;
  bool select_only_ = false;
};

// Quotes an identifier for SQL ("my ""table""").
std::string quote_identifier(std::string_view name);
// Quotes a string literal for SQL ('it''s').
std::string quote_literal(std::string_view value);

}  // namespace baliza
