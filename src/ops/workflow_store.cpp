#include "ops/workflow_store.h"

namespace baliza::ops {
namespace {

template <typename T>
PreparedStatement& bind_text_or_null(PreparedStatement& st, std::size_t i, const T& value) {
  if (value.empty()) return st.bind_null(i);
  return st.bind(i, value);
}

bool tables_exist(Connection& conn) {
  auto n = conn.scalar(
      "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND "
      "schema_name = 'meta' AND table_name IN ('workflow_runs', 'workflow_steps')");
  return n && *n == "2";
}

}  // namespace

void store_run_start(Connection& conn, const WorkflowReport& r, const std::string& command_line) {
  auto st = conn.prepare(
      "INSERT INTO meta.workflow_runs (run_id, workflow, project, command_line, quick, status, "
      "started_at) VALUES ($1, $2, $3, $4, $5, 'running', $6::TIMESTAMP)");
  st.bind(1, r.run_id).bind(2, r.workflow).bind(3, r.project).bind(4, command_line);
  st.bind(5, r.quick).bind(6, r.started_at).execute();
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
    if (s.status == "error") message = s.name + ": " + s.message;
  }
  auto st = conn.prepare(
      "UPDATE meta.workflow_runs SET status = $2, finished_at = $3::TIMESTAMP, seconds = $4, "
      "steps = $5, warnings = $6, message = $7 WHERE run_id = $1");
  st.bind(1, r.run_id).bind(2, r.status).bind(3, r.finished_at).bind(4, r.seconds);
  st.bind(5, static_cast<int64_t>(r.steps.size())).bind(6, r.warnings()).bind(7, message).execute();
}

std::map<std::string, StepState> last_step_states(Connection& conn, const std::string& workflow) {
  std::map<std::string, StepState> out;
  if (!tables_exist(conn)) return out;
  auto st = conn.prepare(
      "SELECT step, status, finished_at::VARCHAR, seconds, rows, run_id, coalesce(message, '') "
      "FROM meta.workflow_steps WHERE workflow = $1 AND status <> 'skipped' "
      "QUALIFY row_number() OVER (PARTITION BY step ORDER BY finished_at DESC, run_id) = 1");
  Result r = st.bind(1, workflow).execute();
  for (std::size_t i = 0; i < r.row_count(); ++i) {
    StepState s{r.get_string(0, i),
                r.get_string(1, i),
                r.get_string(2, i),
                r.get_double(3, i),
                r.is_null(4, i) ? 0 : r.get_int64(4, i),
                r.get_string(5, i),
                r.get_string(6, i)};
    out[s.step] = s;
  }
  return out;
}

std::optional<StepState> last_run(Connection& conn, const std::string& workflow) {
  if (!tables_exist(conn)) return std::nullopt;
  auto st = conn.prepare(
      "SELECT status, coalesce(finished_at, started_at)::VARCHAR, coalesce(seconds, 0), run_id, "
      "coalesce(message, '') FROM meta.workflow_runs WHERE workflow = $1 "
      "ORDER BY started_at DESC LIMIT 1");
  Result r = st.bind(1, workflow).execute();
  if (r.row_count() == 0) return std::nullopt;
  return StepState{"", r.get_string(0, 0), r.get_string(1, 0), r.get_double(2, 0),
                   0,  r.get_string(3, 0), r.get_string(4, 0)};
}

}  // namespace baliza::ops
