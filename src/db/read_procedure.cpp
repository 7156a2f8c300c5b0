#include "db/read_procedure.h"

#include "core/error.h"

namespace baliza {

std::string run_procedure(Connection& conn, const ReadProcedures& procedures,
                          const std::string& name, const std::string& arguments) {
  auto it = procedures.find(name);
  if (it == procedures.end()) {
    throw usage_error("no read procedure '" + name +
                      "' here (is the process holding the database an older baliza?)");
  }
  bool was_select_only = conn.select_only();
  conn.execute("BEGIN TRANSACTION READ ONLY");
  conn.set_select_only(true);
  std::string result;
  try {
    result = it->second(conn, arguments);
  } catch (...) {
    conn.set_select_only(was_select_only);
    try {
      conn.execute("ROLLBACK");
    } catch (...) {
      // the procedure's own error is the one to report
    }
    throw;
  }
  conn.set_select_only(was_select_only);
  conn.execute("ROLLBACK");  // a read-only transaction wrote nothing: ending it is all
  return result;
}

}  // namespace baliza
