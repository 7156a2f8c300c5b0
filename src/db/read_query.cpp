#include "db/read_query.h"

#include "db/read_guard.h"

namespace baliza {

TextTable run_read(Connection& conn, const ReadRequest& request, bool guard) {
  if (guard) check_read_only_statement(conn, request.sql);
  size_t max_rows = request.max_rows > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(request.max_rows);
  if (request.params.empty()) {
    Result result = conn.query_as_text(request.sql);
    return to_text_table(result, max_rows);
  }
  PreparedStatement stmt = conn.prepare(conn.text_safe_sql(request.sql));
  for (size_t i = 0; i < request.params.size(); ++i) {
    if (request.params[i]) {
      stmt.bind(i + 1, *request.params[i]);
    } else {
      stmt.bind_null(i + 1);
    }
  }
  Result result = stmt.execute();
  return to_text_table(result, max_rows);
}

}  // namespace baliza
