// Workflow runs kept in the database (db/workflow_tables.h): a run is inserted as `running`
// when it starts, each step is written when it ends (so a killed run leaves the steps it did),
// and the run row is completed at the end. `baliza workflow status` and the UI read them back.
// All writes go through the one connection given; not thread-safe per connection.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/reader.h"
#include "ops/workflow_report.h"

namespace baliza::ops {

void store_run_start(Connection& conn, const WorkflowReport& report,
                     const std::string& command_line);
void store_step(Connection& conn, const WorkflowReport& report, const StepReport& step);
void store_run_end(Connection& conn, const WorkflowReport& report);

// The last time a step of `workflow` actually ran (skipped rows left out).
struct StepState {
  std::string step;
  std::string status;  // ok, warn, error
  std::string finished_at;
  double seconds = 0;
  std::int64_t rows = 0;
  std::string run_id;
  std::string message;
};

// step name -> its last run; empty when the tables do not exist or the workflow never ran.
// Through a Reader (db/reader.h), so it works while another process holds the database.
std::map<std::string, StepState> last_step_states(Reader& reader, const std::string& workflow);

// "schema.name" (lower case) of every table and view of the database's own catalog.
std::set<std::string> existing_relations(Reader& reader);

}  // namespace baliza::ops
