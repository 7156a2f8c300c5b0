#include "ops/workflow_store.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace baliza::ops {
namespace {

template <typename T>
PreparedStatement& bind_text_or_null(PreparedStatement& st, std::size_t i, const T& value) {
  if (value.empty()) return st.bind_null(i);
  return st.bind(i, value);
}

bool tables_exist(Reader& reader) {
  TextTable t = reader.query(
      "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND "
      "schema_name = 'meta' AND table_name IN ('workflow_runs', 'workflow_steps')");
  return t.row_count() == 1 && t.text(0, 0) == "2";
}

// The pid in a reader's source "process 123 (baliza ...)"; 0 when there is none.
std::int64_t holder_pid(std::string_view source) {
  if (source.rfind("process ", 0) != 0) return 0;
  return std::atoll(std::string(source.substr(8)).c_str());
}

bool process_exists(std::int64_t pid) {
  if (pid <= 0) return false;
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

bool has_pid_column(Reader& reader) {
  TextTable t = reader.query(
      "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() AND "
      "schema_name = 'meta' AND table_name = 'workflow_runs' AND column_name = 'pid'");
  return t.row_count() == 1 && t.text(0, 0) == "1";
}

}  // namespace

std::optional<RunState> last_run(Reader& reader, const std::string& workflow) {
  if (!tables_exist(reader)) return std::nullopt;
  std::string pid = has_pid_column(reader) ? "coalesce(pid, 0)" : "0";
  TextTable r = reader.query(
      "SELECT run_id, status, started_at::VARCHAR, coalesce(finished_at::VARCHAR, ''), " + pid +
          ", coalesce(message, '') FROM meta.workflow_runs WHERE workflow = $1 ORDER BY "
          "started_at DESC LIMIT 1",
      {workflow});
  if (r.row_count() == 0) return std::nullopt;
  RunState run{r.text(0, 0), r.text(1, 0),  r.text(1, 0), r.text(2, 0),
               r.text(3, 0), r.int64(4, 0), r.text(5, 0)};
  run.status = effective_run_status(reader, run.stored_status, run.pid, &run.message);
  return run;
}

std::string effective_run_status(const Reader& reader, const std::string& stored, std::int64_t pid,
                                 std::string* why) {
  return effective_run_status(reader.served_by_holder() ? reader.source() : std::string(), stored,
                              pid, why);
}

std::string effective_run_status(std::string_view holder_source, const std::string& stored,
                                 std::int64_t pid, std::string* why) {
  if (stored != "running") return stored;
  // Running only while its process lives and holds the file: through the holder's socket, the
  // holder must be that process; reading the file ourselves, nobody holds it to write.
  std::int64_t holder = holder_pid(holder_source);
  bool alive = process_exists(pid);
  if (alive && (holder == pid || pid == getpid())) return stored;
  if (why) {
    *why = pid <= 0      ? "its process is unknown and the database is not held by it"
           : !alive      ? "process " + std::to_string(pid) + " is gone (killed or crashed)"
           : holder == 0 ? "process " + std::to_string(pid) + " no longer holds the database"
                         : "the database is held by process " + std::to_string(holder) +
                               ", not by the run's process " + std::to_string(pid);
  }
  return "interrupted";
}

void store_run_start(Connection& conn, const WorkflowReport& r, const std::string& command_line) {
  auto st = conn.prepare(
      "INSERT INTO meta.workflow_runs (run_id, workflow, project, command_line, quick, status, "
      "started_at, pid) VALUES ($1, $2, $3, $4, $5, 'running', $6::TIMESTAMP, $7)");
  st.bind(1, r.run_id).bind(2, r.workflow).bind(3, r.project).bind(4, command_line);
  st.bind(5, r.quick).bind(6, r.started_at).bind(7, static_cast<int64_t>(getpid())).execute();
}

void store_step(Connection& conn, const WorkflowReport& r, const StepReport& s) {
  auto st = conn.prepare(
      "INSERT INTO meta.workflow_steps (run_id, workflow, position, step, kind, status, "
      "started_at, finished_at, seconds, rows, warnings, message, detail) VALUES ($1, $2, $3, $4, "
      "$5, $6, $7::TIMESTAMP, $8::TIMESTAMP, $9, $10, $11, $12, $13::JSON)");
  st.bind(1, r.run_id).bind(2, r.workflow).bind(3, s.position).bind(4, s.name).bind(5, s.kind);
  st.bind(6, s.status);
  bind_text_or_null(st, 7, s.started_at);
  bind_text_or_null(st, 8, s.finished_at);
  st.bind(9, s.seconds).bind(10, static_cast<int64_t>(s.rows)).bind(11, s.warnings);
  st.bind(12, s.message).bind(13, s.detail.dump()).execute();
}

void store_run_end(Connection& conn, const WorkflowReport& r) {
  std::string message;
  for (const StepReport& s : r.steps) {
    if (s.status == "error" || s.status == "interrupted") message = s.name + ": " + s.message;
  }
  if (r.status == "interrupted" && message.empty()) message = "interrupted (Ctrl-C or SIGTERM)";
  auto st = conn.prepare(
      "UPDATE meta.workflow_runs SET status = $2, finished_at = $3::TIMESTAMP, seconds = $4, "
      "steps = $5, warnings = $6, message = $7 WHERE run_id = $1");
  st.bind(1, r.run_id).bind(2, r.status).bind(3, r.finished_at).bind(4, r.seconds);
  st.bind(5, static_cast<int64_t>(r.steps.size())).bind(6, r.warnings()).bind(7, message).execute();
}

std::map<std::string, StepState> last_step_states(Reader& reader, const std::string& workflow) {
  std::map<std::string, StepState> out;
  if (!tables_exist(reader)) return out;
  TextTable r = reader.query(
      "SELECT step, status, finished_at::VARCHAR, seconds, coalesce(rows, 0), run_id, "
      "coalesce(message, '') FROM meta.workflow_steps WHERE workflow = $1 AND status <> "
      "'skipped' QUALIFY row_number() OVER (PARTITION BY step ORDER BY finished_at DESC, run_id) "
      "= 1",
      {workflow});
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    StepState s{r.text(0, i),  r.text(1, i), r.text(2, i), std::atof(r.text(3, i).c_str()),
                r.int64(4, i), r.text(5, i), r.text(6, i)};
    out[s.step] = s;
  }
  return out;
}

std::set<std::string> existing_relations(Reader& reader) {
  TextTable r = reader.query(
      "SELECT lower(schema_name || '.' || table_name) FROM duckdb_tables() WHERE database_name = "
      "current_database() UNION ALL SELECT lower(schema_name || '.' || view_name) FROM "
      "duckdb_views() WHERE database_name = current_database() AND NOT internal");
  std::set<std::string> out;
  for (std::size_t i = 0; i < r.row_count(); ++i) out.insert(r.text(0, i));
  return out;
}

}  // namespace baliza::ops
