#include "transform/run_log.h"

#include "transform/relation.h"

namespace baliza::transform {

void record_run(Connection& conn, const Project& project, const Dag& dag,
                const std::string& command, const std::string& command_line,
                const RunSummary& summary) {
  conn.transaction([&] {
    conn.prepare(
            "INSERT INTO meta.run_results (run_id, command, project, invocation, status, "
            "started_at, completed_at, elapsed_seconds, pass, warn, error, skip, total) VALUES "
            "($1, $2, $3, $4, $5, CAST($6 AS TIMESTAMP), CAST($7 AS TIMESTAMP), $8, $9, $10, $11, "
            "$12, $13)")
        .bind(1, summary.run_id)
        .bind(2, command)
        .bind(3, project.name())
        .bind(4, command_line)
        .bind(5, summary.error > 0 ? "error" : "success")
        .bind(6, summary.started_at)
        .bind(7, summary.completed_at)
        .bind(8, summary.elapsed)
        .bind(9, summary.pass)
        .bind(10, summary.warn)
        .bind(11, summary.error)
        .bind(12, summary.skip)
        .bind(13, summary.total())
        .execute();
    Appender app = conn.appender("meta", "node_results");
    for (const NodeResult& r : summary.results) {
      auto index = dag.index_of(r.unique_id);
      const Node* n = index ? &dag.node(*index) : nullptr;
      app.append(summary.run_id).append(r.unique_id);
      app.append(n ? std::string(to_string(n->resource_type)) : std::string());
      if (n && n->resource_type != ResourceType::kTest)
        app.append(relation_label(*n));
      else
        app.append_null();
      app.append(r.status);
      if (r.started_at.empty())
        app.append_null().append_null();
      else
        app.append(r.started_at).append(r.completed_at);
      app.append(r.execution_time).append("Thread-" + std::to_string(r.thread_id));
      if (r.rows_affected >= 0)
        app.append(static_cast<std::int64_t>(r.rows_affected));
      else
        app.append_null();
      if (r.failures)
        app.append(static_cast<std::int64_t>(*r.failures));
      else
        app.append_null();
      app.append(r.message);
      app.end_row();
    }
    app.close();
  });
}

}  // namespace baliza::transform
