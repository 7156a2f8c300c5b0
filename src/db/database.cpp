#include "db/database.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/error.h"
#include "db/duckdb_api.h"
#include "db/lock_error.h"
#include "db/writer_intent.h"

namespace baliza {
namespace {

const DuckDbApi& api() {
  return duckdb_api();
}

// DuckDB 1.4 repeats the "LINE n: ... ^" context block in some messages; show it once.
std::string tidy_message(const std::string& message) {
  size_t first = message.find("\n\nLINE ");
  if (first == std::string::npos) return message;
  size_t second = message.find("\n\nLINE ", first + 1);
  if (second == std::string::npos) return message;
  std::string_view a(message.data() + first, second - first), b(message.data() + second);
  return a == b ? message.substr(0, second) : message;
}

[[noreturn]] void throw_sql_error(const std::string& raw_message, std::string_view sql) {
  std::string message = tidy_message(raw_message);
  std::string text = message;
  // DuckDB's parser errors already quote the offending line with a caret.
  if (!sql.empty() && message.find("LINE ") == std::string::npos) {
    std::string shown(sql.substr(0, 2000));
    text += "\n  in SQL: " + shown + (sql.size() > 2000 ? " ..." : "");
  }
  throw failure(text);
}

void set_option(duckdb_config config, const char* name, const std::string& value) {
  if (!value.empty() && api().duckdb_set_config(config, name, value.c_str()) == DuckDBError) {
    throw usage_error(std::string("invalid DuckDB setting ") + name + "=" + value);
  }
}

}  // namespace

// ---- Database ----

std::shared_ptr<Database> Database::open(const std::string& path, const OpenOptions& options) {
  // Readers (read-only openers) hold the file only for a read: a writer waits for them this
  // long even without --wait, announcing itself so they step aside (db/writer_intent.h).
  constexpr double kReaderGraceSeconds = 30;
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<WriterIntent> intent;
  while (true) {
    try {
      return open_once(path, options);
    } catch (const LockConflict&) {
      double waited =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      bool readers = !options.read_only && held_by_readers_only(path);
      if (readers && !intent) intent = std::make_unique<WriterIntent>(path);
      double patience = options.wait_seconds;
      if (readers && patience >= 0 && patience < kReaderGraceSeconds)
        patience = kReaderGraceSeconds;
      if (patience == 0 || (patience > 0 && waited >= patience)) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options.read_only ? 200 : 50));
  }
}

std::shared_ptr<Database> Database::open_once(const std::string& path, const OpenOptions& options) {
  if (path != ":memory:" && options.create_parent_dirs && !options.read_only) {
    auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      throw environment_error("cannot create folder " + parent.string() + " for database " + path +
                              ": " + ec.message());
    }
  }
  duckdb_config config = nullptr;
  if (api().duckdb_create_config(&config) == DuckDBError) {
    throw environment_error("DuckDB could not create a configuration (out of memory?)");
  }
  try {
    if (options.read_only) set_option(config, "access_mode", "READ_ONLY");
    set_option(config, "threads", options.threads);
    set_option(config, "memory_limit", options.memory_limit);
    // Extensions are built into libduckdb; never download at run time.
    set_option(config, "autoinstall_known_extensions", "false");
    if (!options.external_access) set_option(config, "enable_external_access", "false");
  } catch (...) {
    api().duckdb_destroy_config(&config);
    throw;
  }
  duckdb_database db = nullptr;
  char* error = nullptr;
  const char* c_path = path == ":memory:" ? nullptr : path.c_str();
  duckdb_state state = api().duckdb_open_ext(c_path, &db, config, &error);
  api().duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error ? error : "unknown error";
    if (error) api().duckdb_free(error);
    if (auto lock = lock_conflict_error(path, message)) throw *lock;
    throw environment_error("cannot open database " + path + ": " + message);
  }
  return std::shared_ptr<Database>(new Database(path, db));
}

Database::~Database() {
  api().duckdb_close(&db_);
}

// ---- Result ----

Result::~Result() {
  if (!moved_) api().duckdb_destroy_result(&result_);
}

Result::Result(Result&& other) noexcept : result_(other.result_) {
  other.moved_ = true;
}

size_t Result::column_count() {
  return api().duckdb_column_count(&result_);
}
size_t Result::row_count() {
  return api().duckdb_row_count(&result_);
}
size_t Result::rows_changed() {
  return api().duckdb_rows_changed(&result_);
}
std::string Result::column_name(size_t col) {
  const char* name = api().duckdb_column_name(&result_, col);
  return name ? name : "";
}
duckdb_type Result::column_type(size_t col) {
  return api().duckdb_column_type(&result_, col);
}
bool Result::is_null(size_t col, size_t row) {
  return api().duckdb_value_is_null(&result_, col, row);
}

std::string Result::get_string(size_t col, size_t row) {
  char* value = api().duckdb_value_varchar(&result_, col, row);
  if (!value) return "";
  std::string text(value);
  api().duckdb_free(value);
  return text;
}

std::optional<std::string> Result::get_optional_string(size_t col, size_t row) {
  if (is_null(col, row)) return std::nullopt;
  return get_string(col, row);
}

int64_t Result::get_int64(size_t col, size_t row) {
  return api().duckdb_value_int64(&result_, col, row);
}
double Result::get_double(size_t col, size_t row) {
  return api().duckdb_value_double(&result_, col, row);
}
bool Result::get_bool(size_t col, size_t row) {
  return api().duckdb_value_boolean(&result_, col, row);
}

std::string Result::get_blob(size_t col, size_t row) {
  duckdb_blob blob = api().duckdb_value_blob(&result_, col, row);
  std::string bytes(static_cast<const char*>(blob.data), blob.size);
  if (blob.data) api().duckdb_free(blob.data);
  return bytes;
}

// ---- PreparedStatement ----

PreparedStatement::~PreparedStatement() {
  if (stmt_) api().duckdb_destroy_prepare(&stmt_);
}

PreparedStatement::PreparedStatement(PreparedStatement&& other) noexcept
    : stmt_(other.stmt_), sql_(std::move(other.sql_)) {
  other.stmt_ = nullptr;
}

namespace {
void check_bind(duckdb_state state, size_t index, const std::string& sql) {
  if (state == DuckDBError) {
    throw_sql_error("cannot bind parameter " + std::to_string(index), sql);
  }
}
}  // namespace

PreparedStatement& PreparedStatement::bind(size_t index, std::string_view value) {
  check_bind(api().duckdb_bind_varchar_length(stmt_, index, value.data(), value.size()), index,
             sql_);
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t index, int64_t value) {
  check_bind(api().duckdb_bind_int64(stmt_, index, value), index, sql_);
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t index, double value) {
  check_bind(api().duckdb_bind_double(stmt_, index, value), index, sql_);
  return *this;
}
PreparedStatement& PreparedStatement::bind(size_t index, bool value) {
  check_bind(api().duckdb_bind_boolean(stmt_, index, value), index, sql_);
  return *this;
}
PreparedStatement& PreparedStatement::bind_blob(size_t index, std::string_view bytes) {
  check_bind(api().duckdb_bind_blob(stmt_, index, bytes.data(), bytes.size()), index, sql_);
  return *this;
}
PreparedStatement& PreparedStatement::bind_null(size_t index) {
  check_bind(api().duckdb_bind_null(stmt_, index), index, sql_);
  return *this;
}

Result PreparedStatement::execute() {
  duckdb_result result;
  if (api().duckdb_execute_prepared(stmt_, &result) == DuckDBError) {
    std::string message = api().duckdb_result_error(&result);
    api().duckdb_destroy_result(&result);
    throw_sql_error(message, sql_);
  }
  return Result(result);
}

// ---- Appender ----

Appender::~Appender() {
  if (app_) api().duckdb_appender_destroy(&app_);
}

Appender::Appender(Appender&& other) noexcept : app_(other.app_), table_(std::move(other.table_)) {
  other.app_ = nullptr;
}

void Appender::check(duckdb_state state, const char* what) {
  if (state == DuckDBError) {
    const char* error = api().duckdb_appender_error(app_);
    throw failure(std::string("appender ") + what + " on " + table_ +
                  " failed: " + (error ? error : "unknown error"));
  }
}

Appender& Appender::append(std::string_view value) {
  check(api().duckdb_append_varchar_length(app_, value.data(), value.size()), "append");
  return *this;
}
Appender& Appender::append(int64_t value) {
  check(api().duckdb_append_int64(app_, value), "append");
  return *this;
}
Appender& Appender::append(double value) {
  check(api().duckdb_append_double(app_, value), "append");
  return *this;
}
Appender& Appender::append(bool value) {
  check(api().duckdb_append_bool(app_, value), "append");
  return *this;
}
Appender& Appender::append_blob(std::string_view bytes) {
  check(api().duckdb_append_blob(app_, bytes.data(), bytes.size()), "append");
  return *this;
}
Appender& Appender::append_null() {
  check(api().duckdb_append_null(app_), "append");
  return *this;
}
void Appender::end_row() {
  check(api().duckdb_appender_end_row(app_), "end_row");
}
void Appender::flush() {
  check(api().duckdb_appender_flush(app_), "flush");
}
void Appender::close() {
  check(api().duckdb_appender_close(app_), "close");
}

// ---- Connection ----

Connection::Connection(std::shared_ptr<Database> db) : db_(std::move(db)) {
  if (api().duckdb_connect(db_->handle(), &conn_) == DuckDBError) {
    throw environment_error("cannot connect to database " + db_->path());
  }
}

Connection::~Connection() {
  api().duckdb_disconnect(&conn_);
}

Result Connection::query(std::string_view sql) {
  if (select_only_) return prepare(sql).execute();
  std::string text(sql);
  duckdb_result result;
  if (api().duckdb_query(conn_, text.c_str(), &result) == DuckDBError) {
    std::string message = api().duckdb_result_error(&result);
    api().duckdb_destroy_result(&result);
    throw_sql_error(message, sql);
  }
  return Result(result);
}

namespace {

// Types duckdb_value_varchar renders faithfully; every other type is cast to VARCHAR first.
bool renders_as_text(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_INTERVAL:
      return true;
    default:
      return false;
  }
}

// The statement without a final `;` (and what follows it: blanks and comments), found with a
// small scan that skips quoted text and comments.
std::string without_final_semicolon(std::string_view sql) {
  size_t cut = std::string_view::npos;  // the last top-level `;`
  bool only_trivia_since = true;        // nothing but blanks and comments after it
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '\'' || c == '"') {
      size_t end = sql.find(c, i + 1);
      while (end != std::string_view::npos && end + 1 < sql.size() && sql[end + 1] == c)
        end = sql.find(c, end + 2);  // doubled quote inside
      i = end == std::string_view::npos ? sql.size() : end;
      only_trivia_since = false;
    } else if (c == ';') {
      cut = i;
      only_trivia_since = true;
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      only_trivia_since = false;
    }
  }
  if (cut != std::string_view::npos && only_trivia_since) return std::string(sql.substr(0, cut));
  return std::string(sql);
}

}  // namespace

Result Connection::query_as_text(std::string_view sql) {
  std::string text = text_safe_sql(sql);
  return query(text);
}

std::string Connection::text_safe_sql(std::string_view sql) {
  std::string text(sql);
  duckdb_prepared_statement stmt = nullptr;
  std::vector<std::string> names;
  std::vector<size_t> cast;  // positions of the columns to show as text
  if (api().duckdb_prepare(conn_, text.c_str(), &stmt) == DuckDBSuccess &&
      api().duckdb_prepared_statement_type(stmt) == DUCKDB_STATEMENT_TYPE_SELECT) {
    idx_t columns = api().duckdb_prepared_statement_column_count(stmt);
    for (idx_t c = 0; c < columns; ++c) {
      const char* name = api().duckdb_prepared_statement_column_name(stmt, c);
      names.emplace_back(name ? name : "");
      if (name) api().duckdb_free(const_cast<char*>(name));
      if (!renders_as_text(api().duckdb_prepared_statement_column_type(stmt, c))) cast.push_back(c);
    }
  }
  api().duckdb_destroy_prepare(&stmt);  // also after a failed prepare
  if (cast.empty()) return text;
  // Columns renamed by position in the subquery's alias, so that duplicate names (`select 1 a,
  // [2] a`) work too, then given their own names back.
  std::string columns, positional;
  for (size_t c = 0; c < names.size(); ++c) {
    std::string col = "c";
    col += std::to_string(c);
    if (c > 0) {
      positional.append(", ");
      columns.append(", ");
    }
    positional.append(col);
    if (std::find(cast.begin(), cast.end(), c) != cast.end()) {
      columns.append("CAST(").append(col).append(" AS VARCHAR)");
    } else {
      columns.append(col);
    }
    columns.append(" AS ").append(quote_identifier(names[c]));
  }
  // The newline keeps a trailing -- comment of the user's SQL from eating the parenthesis.
  return "SELECT " + columns + " FROM (\n" + without_final_semicolon(sql) +
         "\n) AS baliza_result(" + positional + ")";
}

PreparedStatement Connection::prepare(std::string_view sql) {
  std::string text(sql);
  duckdb_prepared_statement stmt = nullptr;
  if (api().duckdb_prepare(conn_, text.c_str(), &stmt) == DuckDBError) {
    std::string message = api().duckdb_prepare_error(stmt);
    api().duckdb_destroy_prepare(&stmt);
    if (select_only_ && message.find("multiple statements") != std::string::npos)
      throw usage_error("read-only access: one statement at a time here, not: " +
                        text.substr(0, 200));
    throw_sql_error(message, sql);
  }
  if (select_only_ && api().duckdb_prepared_statement_type(stmt) != DUCKDB_STATEMENT_TYPE_SELECT) {
    api().duckdb_destroy_prepare(&stmt);
    throw usage_error("read-only access: only SELECT statements run here, not: " +
                      text.substr(0, 200));
  }
  return PreparedStatement(stmt, std::move(text));
}

Appender Connection::appender(const std::string& schema, const std::string& table) {
  duckdb_appender app = nullptr;
  std::string name = schema + "." + table;
  if (select_only_) throw usage_error("read-only access: cannot append to " + name);
  if (api().duckdb_appender_create(conn_, schema.c_str(), table.c_str(), &app) == DuckDBError) {
    const char* error = app ? api().duckdb_appender_error(app) : nullptr;
    std::string message = error ? error : "table not found";
    if (app) api().duckdb_appender_destroy(&app);
    throw failure("cannot append to " + name + ": " + message);
  }
  return Appender(app, name);
}

namespace {

void scalar_trampoline(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  auto* function = static_cast<ScalarFunction*>(api().duckdb_scalar_function_get_extra_info(info));
  try {
    function->body(input, output);
  } catch (const std::exception& e) {
    api().duckdb_scalar_function_set_error(info, (function->name + ": " + e.what()).c_str());
  }
}

}  // namespace

void Connection::register_scalar_function(ScalarFunction function) {
  auto owned = std::make_unique<ScalarFunction>(std::move(function));
  duckdb_scalar_function f = api().duckdb_create_scalar_function();
  api().duckdb_scalar_function_set_name(f, owned->name.c_str());
  for (duckdb_type type : owned->parameters) {
    duckdb_logical_type t = api().duckdb_create_logical_type(type);
    api().duckdb_scalar_function_add_parameter(f, t);
    api().duckdb_destroy_logical_type(&t);
  }
  duckdb_logical_type ret = api().duckdb_create_logical_type(owned->return_type);
  api().duckdb_scalar_function_set_return_type(f, ret);
  api().duckdb_destroy_logical_type(&ret);
  api().duckdb_scalar_function_set_function(f, scalar_trampoline);
  api().duckdb_scalar_function_set_extra_info(f, owned.get(), nullptr);
  duckdb_state state = api().duckdb_register_scalar_function(conn_, f);
  api().duckdb_destroy_scalar_function(&f);
  if (state == DuckDBError) {
    throw failure("cannot register SQL function " + owned->name + " (already registered?)");
  }
  functions_.push_back(std::move(owned));
}

void Connection::interrupt() {
  api().duckdb_interrupt(conn_);
}

void Connection::transaction(const std::function<void()>& body) {
  execute("BEGIN TRANSACTION");
  try {
    body();
  } catch (...) {
    try {
      execute("ROLLBACK");
    } catch (...) {
      // The original error is the one worth reporting.
    }
    throw;
  }
  execute("COMMIT");
}

std::optional<std::string> Connection::scalar(std::string_view sql) {
  Result result = query(sql);
  if (result.row_count() == 0 || result.column_count() == 0 || result.is_null(0, 0)) {
    return std::nullopt;
  }
  return result.get_string(0, 0);
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string quote_literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace baliza
