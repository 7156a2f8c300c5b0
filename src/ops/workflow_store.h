// Workflow runs kept in the database (db/workflow_tables.h): a run is inserted as `running`
// when it starts, each step is written when it ends (so a killed run leaves the steps it did),
// and the run row is completed at the end. `baliza workflow status` and the UI read them back.
// A run row keeps the pid of its process: a run whose process is gone, or no longer holds the
// database, is shown `interrupted` (last_run) and marked so by the next writer
// (db/workflow_tables.h mark_stale_workflow_runs).
// All writes go through the one connection given; not thread-safe per connection.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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

// The last run of a workflow, its status as stored and as it really is.
struct RunState {
  std::string run_id;
  std::string status;  // as effective: a stale `running` is `interrupted`
  std::string stored_status;
  std::string started_at, finished_at;
  std::int64_t pid = 0;
  std::string message;  // for a stale run: why it is taken as interrupted
};

// nullopt when the workflow never ran (or the tables do not exist).
std::optional<RunState> last_run(Reader& reader, const std::string& workflow);

// A stored status as it really is, for any reader of meta.workflow_runs (the UI): `running`
// stays `running` only while process `pid` lives and holds the database `reader` reads;
// otherwise `interrupted`, and `why` (when given) says why. Other statuses are returned as is.
std::string effective_run_status(const Reader& reader, const std::string& stored, std::int64_t pid,
                                 std::string* why = nullptr);
// The same for a reader that is not a db::Reader (the UI's): `holder_source` is where its reads
// go ("process 123 (baliza ...)" through a holder's socket, anything else when it reads the file
// itself).
std::string effective_run_status(std::string_view holder_source, const std::string& stored,
                                 std::int64_t pid, std::string* why = nullptr);

// step name -> its last run; empty when the tables do not exist or the workflow never ran.
// Through a Reader (db/reader.h), so it works while another process holds the database.
std::map<std::string, StepState> last_step_states(Reader& reader, const std::string& workflow);

// "schema.name" (lower case) of every table and view of the database's own catalog.
std::set<std::string> existing_relations(Reader& reader);

}  // namespace baliza::ops
