#include "plan/task_scope.h"

#include <gtest/gtest.h>

#include <string>

#include "db/database.h"

namespace baliza::plan {
namespace {

// The tasks a period's condition selects, run by DuckDB over a table shaped like
// planning.task_plan: "a,b,..." sorted.
std::string selected(Connection& conn, const std::string& range,
                     const std::vector<std::string>& endpoints) {
  return conn
      .scalar("SELECT coalesce(string_agg(task_id, ',' ORDER BY task_id), '') FROM tasks t WHERE " +
              task_scope_sql(parse_range(range), endpoints))
      .value_or("?");
}

TEST(TaskScope, SelectsTheTasksWhoseWindowMeetsThePeriod) {
  Connection conn(Database::open(":memory:"));
  conn.execute(
      "CREATE TABLE tasks AS SELECT * FROM (VALUES "
      "('a', 'contratos', DATE '2024-01-31', NULL, NULL), "                    // the day before
      "('b', 'contratos', DATE '2024-02-01', NULL, NULL), "                    // first day
      "('c', 'contratos', DATE '2024-01-20', DATE '2024-02-03', NULL), "       // window across it
      "('d', 'contratos', DATE '2024-02-29', NULL, TIMESTAMP '2024-03-01'), "  // removed
      "('e', 'o''brien', DATE '2024-02-10', NULL, NULL), "  // an endpoint name with a quote
      "('f', 'atas', DATE '2024-03-01', DATE '2024-03-31', NULL)) "  // after
      "AS v(task_id, endpoint_name, data_date, window_end, removed_at)");
  EXPECT_EQ(selected(conn, "2024-02-01:2024-02-29", {}), "b,c,e");
  EXPECT_EQ(selected(conn, "2024-02-01:2024-02-29", {"contratos"}), "b,c");
  EXPECT_EQ(selected(conn, "2024-02-01:2024-02-29", {"o'brien", "atas"}), "e");
  EXPECT_EQ(selected(conn, "2024-01-31:2024-03-01", {"atas", "contratos"}), "a,b,c,f");
  EXPECT_EQ(selected(conn, "2024-04-01:2024-04-30", {}), "");
}

}  // namespace
}  // namespace baliza::plan
