#include "coord/pg_connection.h"

#include <mutex>
#include <thread>

#include "coord/libpq_api.h"
#include "core/log.h"

namespace baliza::coord {
namespace {

const char* const kConnectFix =
    "check `coordinator:` in baliza.yml or BALIZA_COORDINATOR_URL (e.g. "
    "postgresql://baliza@db.example:5432/baliza); libpq's PGHOST, PGUSER, PGPASSWORD and "
    "~/.pgpass apply too; is the server running and does it accept connections from here?";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string first_line(const std::string& sql) {
  std::string line = sql.substr(0, sql.find('\n'));
  return line.size() > 120 ? line.substr(0, 117) + "..." : line;
}

// Connection-class errors (08xxx), and the server shutting down (57P01..57P03).
bool is_connection_state(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

void ignore_notice(void*, const char*) {}

std::mutex& session_name_mutex() {
  static std::mutex m;
  return m;
}
std::string& session_name() {
  static std::string name = "baliza";
  return name;
}
int& session_idle_timeout() {
  static int seconds = 0;
  return seconds;
}

}  // namespace

PgResult::~PgResult() {
  if (result_) libpq_api().PQclear(result_);
}

int PgResult::rows() const {
  return libpq_api().PQntuples(result_);
}

bool PgResult::is_null(int row, int col) const {
  return libpq_api().PQgetisnull(result_, row, col) != 0;
}

std::string PgResult::get(int row, int col) const {
  const LibpqApi& pq = libpq_api();
  if (pq.PQgetisnull(result_, row, col)) return {};
  return std::string(pq.PQgetvalue(result_, row, col),
                     static_cast<std::size_t>(pq.PQgetlength(result_, row, col)));
}

std::optional<std::string> PgResult::get_optional(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return get(row, col);
}

std::int64_t PgResult::get_int64(int row, int col) const {
  const std::string v = get(row, col);
  return v.empty() ? 0 : std::stoll(v);
}

std::int64_t PgResult::affected() const {
  const char* n = libpq_api().PQcmdTuples(result_);
  return n && *n ? std::stoll(n) : 0;
}

PgConnection::PgConnection(std::string url) : url_(std::move(url)) {
  const LibpqApi& pq = libpq_api();
  conn_ = pq.PQconnectdb(url_.c_str());
  if (!conn_ || pq.PQstatus(conn_) != CONNECTION_OK) {
    const std::string why =
        redact_text(conn_ ? trim(pq.PQerrorMessage(conn_)) : "out of memory", url_);
    if (conn_) pq.PQfinish(conn_);
    conn_ = nullptr;
    throw PgConnectionLost("cannot connect to the coordinator " + redact_url(url_) + ": " + why +
                           "\n" + kConnectFix);
  }
  pq.PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  std::string name;
  int idle = 0;
  {
    std::lock_guard lock(session_name_mutex());
    name = session_name();
    idle = session_idle_timeout();
  }
  try {
    exec("SELECT set_config('application_name', $1, false)", {name});
    if (idle > 0) {
      exec("SELECT set_config('idle_in_transaction_session_timeout', $1, false)",
           {std::to_string(idle) + "s"});
    }
  } catch (...) {
    pq.PQfinish(conn_);
    conn_ = nullptr;
    throw;
  }
}

void set_session_idle_timeout(int seconds) {
  std::lock_guard lock(session_name_mutex());
  session_idle_timeout() = seconds;
}

void set_session_name(const std::string& name) {
  std::lock_guard lock(session_name_mutex());
  session_name() = name.substr(0, 63);
}

PgConnection::~PgConnection() {
  if (conn_) libpq_api().PQfinish(conn_);
}

void PgConnection::fail(pg_result* result, const std::string& sql) {
  const LibpqApi& pq = libpq_api();
  const char* state = result ? pq.PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  std::string why = trim(result ? pq.PQresultErrorMessage(result) : pq.PQerrorMessage(conn_));
  if (why.empty()) why = trim(pq.PQerrorMessage(conn_));
  why = redact_text(why, url_);
  if (result) pq.PQclear(result);
  if (pq.PQstatus(conn_) != CONNECTION_OK || is_connection_state(sqlstate) || !result) {
    throw PgConnectionLost("lost the connection to the coordinator " + redact_url(url_) + ": " +
                           why);
  }
  if (sqlstate == "40P01" || sqlstate == "40001") {
    throw PgTransient("coordinator statement aborted by a concurrent one (" + sqlstate +
                      "), will run again: " + why);
  }
  if (sqlstate == "42501") {
    const char* user = pq.PQuser(conn_);
    const char* db = pq.PQdb(conn_);
    const std::string u = user && *user ? user : "<user>";
    const std::string d = db && *db ? db : "<database>";
    throw environment_error(
        "the coordinator " + redact_url(url_) + " refused a statement for lack of permission: " +
        why + "\nAs the database's owner, either let " + u +
        " create the coordinator's schema (GRANT CREATE ON DATABASE \"" + d + "\" TO \"" + u +
        "\";) or, when another user made schema baliza, let it use the tables (GRANT USAGE ON "
        "SCHEMA baliza TO \"" +
        u + "\"; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA baliza TO \"" + u +
        "\";).");
  }
  throw failure("coordinator statement failed (" + first_line(sql) + "): " + why);
}

PgResult PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params,
                            bool binary_result) {
  const LibpqApi& pq = libpq_api();
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const PgParam& p : params) {
    values.push_back(p.value ? p.value->data() : nullptr);
    lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
    formats.push_back(p.binary ? 1 : 0);
  }
  pg_result* r =
      pq.PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                      lengths.data(), formats.data(), binary_result ? 1 : 0);
  const ExecStatusType status = r ? pq.PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r, sql);
  return PgResult(r);
}

void PgConnection::exec_script(const std::string& sql) {
  const LibpqApi& pq = libpq_api();
  pg_result* r = pq.PQexec(conn_, sql.c_str());
  const ExecStatusType status = r ? pq.PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r, sql);
  pq.PQclear(r);
}

void PgConnection::transaction(const std::function<void()>& body) {
  exec("BEGIN");
  try {
    body();
  } catch (const PgConnectionLost&) {
    throw;
  } catch (...) {
    try {
      exec("ROLLBACK");
    } catch (const Error&) {
    }
    throw;
  }
  exec("COMMIT");
}

void run_with_reconnect(std::unique_ptr<PgConnection>& conn, const std::string& url,
                        std::chrono::seconds patience, const std::function<void()>& unit) {
  std::optional<std::chrono::steady_clock::time_point> first_loss;
  std::chrono::milliseconds wait{200};
  int transient = 0;
  for (;;) {
    try {
      if (!conn) conn = std::make_unique<PgConnection>(url);
      unit();
      if (first_loss) log_info("coordinator reachable again", {{"url", redact_url(url)}});
      return;
    } catch (const PgTransient& e) {
      if (++transient > 20) throw;
      log_debug("coordinator statement retried", {{"cause", e.what()}});
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * transient));
    } catch (const PgConnectionLost& e) {
      conn.reset();
      const auto now = std::chrono::steady_clock::now();
      if (!first_loss) {
        first_loss = now;
        log_warn("coordinator unreachable; retrying",
                 {{"cause", e.what()}, {"patience_s", std::to_string(patience.count())}});
      }
      if (now - *first_loss >= patience) {
        throw PgConnectionLost(std::string(e.what()) + "\nthe coordinator stayed unreachable for " +
                               std::to_string(patience.count()) +
                               " s (--patience): bring PostgreSQL back and run again; what was "
                               "stored stays, unfinished tasks are claimed again");
      }
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::milliseconds(5000));
    }
  }
}

}  // namespace baliza::coord
