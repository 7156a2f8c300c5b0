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
// Completeness (README "Completeness you can prove"): a task is done only when its current
// pages hold exactly totalRegistros records and every page but the last holds tamanhoPagina
// (the last: the rest). A page of another length under the same total is kept superseded and
// asked again after a backoff, up to `short_page_retries` times; still wrong, it is stored
// as it is, recorded in meta.failed_requests (error_class 'short_page', with the missing
// count) and the task ends partial. Once every page is stored, page 1 is read again
// (`confirm_total`; a row in meta.completeness_checks, its body not stored again): the same
// total proves it; another total is a data shift (the task is paged again). A page past the end
// answered 400 "Página N inexistente" means the data shrank: the task starts again from page 1.
// Every answer ends in exactly one place: accepted (a current result), kept superseded (for
// the record), or a failed request.
// Bare-array endpoints (endpoints.yaml `body: array`, TaskRules::array_endpoints: a purchase's
// items) carry no totals: a page holding page_size records means there may be more, so the
// next page is asked; the first page holding fewer (an empty 204 included) is the last, and
// the task is done when pages 1..last are stored (total = their records). There is no total
// to re-read: a silent short page cannot be told from the last one. With a count
// (endpoints.yaml `count_path`, TaskRules::counted_endpoints: a purchase's .../itens/quantidade)
// the closing read is the count instead of page 1: once pages 1..last are stored, the count is
// read (one request; a row in meta.completeness_checks, never stored as a page). The same
// number as the stored records proves the task. A larger one makes it the task's total: every
// page must then hold page_size records but the last (the rest), and a page that does not is
// asked again like a short page (above), still short after the retries it is stored and the
// task ends partial with the missing count. A smaller one is a data shift (paged again). A
// count that cannot be read (failed, or an empty status while records are stored) leaves the
// task partial: not proved. A task whose page 1 answered an empty status (204/404: the API
// says there is nothing) is done without a count; a 200 with an empty array is counted.
// Without count_path a bare-array task ends done unproved (its endpoint has no way to prove
// it). A done array task claimed again (a re-check) ends done at once: a changed parent is a
// new task (plan/sql_planner.h).
// Endpoints whose parents say they have records (`expect_records`, an item's results): page 1
// answered empty (204, or 200 with []) is asked again like a short page; still empty after
// short_page_retries, it is recorded in meta.failed_requests (short_page) and the task ends
// partial. A 404 is not that (the parent is gone).
//
// Repeated records: a record served on two pages of one task (the API's order moved while it
// was paged) means another record of the total was never served, although the counts add up.
// Once every page is stored, the records of the pages accepted in this run are compared by
// hash (PageEnvelope::record_hashes); a page repeating records of an earlier page is asked
// again like a short page (short_page_retries, with backoff); still repeating, it is recorded
// in meta.failed_requests (error_class 'repeated_records', with the URL and the count) and the
// task ends partial with the repeated records counted as missing. Pages stored by an earlier
// run are compared too (the stores read their hashes back: StoredPage::record_hashes), so
// retry-failed or a re-check asks a page still repeating again instead of calling it done.
// A page past the end answered 404 (not an endpoint's empty status) is taken like 400 "Página
// N inexistente": the data shrank, the task starts again from page 1.
// An envelope with totalRegistros but no totalPaginas is paged by the page size asked for.
//
// Threads: none of its own; the owner (extractor.cpp) calls every method under one lock.
// Writes go to the ExtractionStore (asynchronous, ordered); requests and the end of a task go
// to the owner through Hooks. A task's state is owned by the owner's map; after `ended` the
// owner may destroy it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
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
  bool confirm = false;  // the closing re-read of page 1
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
  // Completeness.
  std::map<int, std::int64_t> records;     // records of each accepted page
  std::map<int, int> short_tries;          // page -> short answers so far
  std::map<int, std::string> short_pages;  // accepted although still short: why
  std::set<int> replace;                   // stored short by an earlier run: replace its row
  bool confirmed = false;                  // page 1's total re-read after the last page
  std::string confirm_error;               // that re-read failed
  bool recheck = false;  // claimed again with every page stored: only the re-read is left
  // Bare arrays with a count (see above).
  bool empty_status = false;  // page 1 answered an empty status: nothing to count
  bool counted = false;       // the count was read and is the task's total
  // Records served twice (see "Repeated records" above): hashes of each page accepted in this
  // run, and the records of still-repeating pages counted as missing.
  std::map<int, std::vector<std::uint64_t>> hashes;
  std::map<int, std::string> urls;  // the URL each accepted page was asked at
  std::int64_t repeated = 0;
};

struct TaskRules {
  int max_shift_rounds = 3;
  // tamanhoPagina of each endpoint (0 or absent: pages are not checked one by one).
  std::map<std::string, int> page_sizes;
  int short_page_retries = 3;  // re-requests of a short page before it counts as missing
  std::map<std::string, int> short_page_retries_by_endpoint;  // wins over the above
  std::chrono::milliseconds short_page_backoff{500};          // doubled per retry, up to the cap
  std::chrono::milliseconds short_page_backoff_cap{30000};
  bool confirm_total = true;                // re-read page 1 once every page is stored (see README)
  std::set<std::string> array_endpoints;    // pages are bare arrays: see above
  std::set<std::string> counted_endpoints;  // of those, the ones with a count_path
  // An empty answer is missing records (endpoints.yaml expect_records; see above).
  std::set<std::string> expect_records_endpoints;
};

class TaskMachine {
 public:
  struct Hooks {
    // Puts a request for `page` of the task on the wire (recording it in t.in_flight); false
    // when nothing more can be asked (stopping). May throw baliza::Error when the task's
    // parameters cannot make a URL.
    // `delay` > 0: ask after that long (a backoff); the page counts as in flight meanwhile.
    std::function<bool(TaskState& t, int page, std::chrono::milliseconds delay, bool confirm)>
        submit;
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

  // A bare-array task proved by a count (its closing read asks count_path, not page 1).
  bool is_counted(const TaskState& t) const {
    return rules_.confirm_total && rules_.counted_endpoints.count(t.claim.endpoint) > 0;
  }

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
  // Records a page should hold under the task's total; empty when that cannot be told.
  std::optional<std::int64_t> expected_records(const TaskState& t, int page) const;
  // A page whose length is not what the envelope implies: asked again, or kept as missing.
  void on_short(TaskState& t, const Job& job, PageOutcome& o, PreparedPayload payload,
                std::int64_t records, std::int64_t expected);
  // Asks again the pages that repeat records of an earlier page (see above); true when some
  // are on the wire. Still repeating after the retries: recorded, counted in t.repeated.
  enum class Repeats { kNone, kAsked, kCannotAsk };
  Repeats ask_repeats_again(TaskState& t, bool cannot_ask);
  // Empty when the stored pages prove the total; else what is missing.
  std::string incomplete(const TaskState& t) const;
  bool is_array(const TaskState& t) const {
    return rules_.array_endpoints.count(t.claim.endpoint) > 0;
  }
  // "totalRegistros" (an envelope's), or "the count" (a bare array's).
  std::string total_name(const TaskState& t) const {
    return is_array(t) ? "the count" : "totalRegistros";
  }
  // Page 1 of an expect_records endpoint answered empty: asked again, or kept as missing.
  // True when the answer was taken (retried or recorded); the caller then stores nothing.
  bool on_missing(TaskState& t, const Job& job, const PageOutcome& o, PreparedPayload& payload,
                  bool has_body);
  // The count read that proves a bare-array task (its closing read).
  void on_count(TaskState& t, const Job& job, const PageOutcome& o, std::int64_t count);
  // A bare-array page `page` with `records` was stored: the last one when it is short.
  void extend_array(TaskState& t, int page, std::int64_t records);
  void resume_array(TaskState& t, const std::vector<StoredPage>& stored);

  ExtractionStore& store_;
  std::string run_id_;
  TaskRules rules_;
  Hooks hooks_;
  std::map<std::string, EndpointTotals>& totals_;
};

}  // namespace baliza::extract
