// The task state machine: what one claimed task has, what it still lacks, and what each
// answered page means for it.
//
// A task learns totalRegistros / totalPaginas from its first accepted page, asks for every page
// it lacks, and ends:
//   done      every page 1..totalPaginas is a current result under one total;
//   failed    nothing stored: its first page failed for good;
//   partial   some pages stored, some failed, or the total kept moving;
//   released  not finished (interrupted): back to pending, stored pages kept.
// Data shift: a page that reports another total than the accepted pages (the live data moved)
// is recorded, the task's current results are superseded and every page is asked again under
// the new total; after `max_shift_rounds` shifts the task ends partial. A later page that comes
// back empty means the data shrank: the task starts again from page 1.
// Every answer ends in exactly one place: accepted (a current result), kept superseded (for
// the record), or a failed request.
//
// Threads: none of its own; the owner (extractor.cpp) calls every method under one lock.
// Writes go to the ExtractionStore (asynchronous, ordered); requests and the end of a task go
// to the owner through Hooks. A task's state is owned by the owner's map; after `ended` the
// owner may destroy it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "extract/claim_store.h"
#include "extract/extract_totals.h"
#include "extract/extraction_store.h"
#include "extract/fetch_engine.h"

namespace baliza::extract {

// One page request on the wire, by its tag.
struct Job {
  std::string task_id;
  int page = 0;
  int generation = 0;
};

struct TaskState {
  ClaimedTask claim;
  std::optional<std::int64_t> total;  // totalRegistros the accepted pages agree on
  int total_pages = -1;
  std::set<int> done;                 // accepted pages (current results)
  std::map<int, int> in_flight;       // page -> generation it was requested in
  std::map<int, std::string> failed;  // pages that failed for good in this run
  int generation = 0;
  int shifts = 0;
  bool interrupted = false;
  bool gave_up = false;
  std::string give_up_reason;
  bool finished = false;
};

struct TaskRules {
  int max_shift_rounds = 3;
};

class TaskMachine {
 public:
  struct Hooks {
    // Puts a request for `page` of the task on the wire (recording it in t.in_flight); false
    // when nothing more can be asked (stopping). May throw baliza::Error when the task's
    // parameters cannot make a URL.
    std::function<bool(TaskState& t, int page)> submit;
    // The task ended; counted and written already. The owner releases the claim and may
    // destroy `t` after this returns.
    std::function<void(TaskState& t, TaskEnd end, const std::string& detail)> ended;
  };

  TaskMachine(ExtractionStore& store, std::string run_id, TaskRules rules, Hooks hooks,
              std::map<std::string, EndpointTotals>& totals);

  // A task claimed again: keeps the stored pages that agree with the first stored page's total
  // and supersedes the others.
  void resume(TaskState& t, const std::vector<StoredPage>& stored);

  // An answer to `job` (already removed from t.in_flight by the caller). `payload` is the
  // prepared body of a successful answer.
  void on_outcome(TaskState& t, const Job& job, PageOutcome& o, PreparedPayload payload);

  // Asks for what the task still lacks; ends it when nothing more can happen.
  void pump(TaskState& t, bool stopping);

  // Ends the task at once (e.g. its endpoint is no longer configured).
  void end(TaskState& t, TaskEnd end, const std::string& detail);

 private:
  void on_success(TaskState& t, const Job& job, PageOutcome& o, PreparedPayload payload);
  void on_empty(TaskState& t, const Job& job, PageOutcome& o);
  void on_failure(TaskState& t, const Job& job, PageOutcome& o);
  void accept(TaskState& t, const PageOutcome& o, int page, PreparedPayload payload,
              std::int64_t records, std::optional<std::int64_t> total_records,
              std::optional<std::int64_t> total_pages);
  void keep_superseded(TaskState& t, const PageOutcome& o, int page, PreparedPayload payload,
                       bool has_body, bool result_row);
  void shift(TaskState& t, int page, std::optional<std::int64_t> before,
             std::optional<std::int64_t> after);
  PageWrite page_write(const TaskState& t, const PageOutcome& o, int page) const;

  ExtractionStore& store_;
  std::string run_id_;
  TaskRules rules_;
  Hooks hooks_;
  std::map<std::string, EndpointTotals>& totals_;
};

}  // namespace baliza::extract
