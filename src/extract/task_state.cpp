#include "extract/task_state.h"

#include <algorithm>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "extract/failure_message.h"

namespace baliza::extract {

TaskMachine::TaskMachine(ExtractionStore& store, std::string run_id, TaskRules rules, Hooks hooks,
                         std::map<std::string, EndpointTotals>& totals)
    : store_(store),
      run_id_(std::move(run_id)),
      rules_(rules),
      hooks_(std::move(hooks)),
      totals_(totals) {}

void TaskMachine::resume(TaskState& t, const std::vector<StoredPage>& stored) {
  if (stored.empty()) return;
  // The pages that agree with the first stored page's total are kept.
  const StoredPage& ref = stored.front();
  t.total = ref.total_records;
  t.total_pages = ref.total_pages;
  bool inconsistent = false;
  for (const StoredPage& p : stored) {
    if (p.total_records == t.total) {
      t.done.insert(p.page);
    } else {
      inconsistent = true;
    }
  }
  if (inconsistent) store_.supersede_other_totals(t.claim.task_id, t.total);
}

void TaskMachine::on_outcome(TaskState& t, const Job& job, PageOutcome& o,
                             PreparedPayload payload) {
  switch (o.status) {
    case FetchStatus::kSuccess:
      on_success(t, job, o, std::move(payload));
      break;
    case FetchStatus::kEmpty:
      on_empty(t, job, o);
      break;
    case FetchStatus::kFailed:
    case FetchStatus::kExhausted:
      on_failure(t, job, o);
      break;
    case FetchStatus::kAbandoned:
      t.interrupted = true;
      break;
  }
}

void TaskMachine::pump(TaskState& t, bool stopping) {
  if (t.finished) return;
  if (!t.gave_up && !t.interrupted && !stopping) {
    try {
      if (!t.total) {
        if (!t.in_flight.count(1) && !t.failed.count(1)) hooks_.submit(t, 1);
      } else {
        const int last = std::max(1, t.total_pages);
        for (int p = 1; p <= last; ++p) {
          if (t.done.count(p) || t.in_flight.count(p) || t.failed.count(p)) continue;
          if (!hooks_.submit(t, p)) break;
        }
      }
    } catch (const Error& e) {  // a bad params row: the task cannot be asked for
      t.failed[1] = e.what();
    }
  }
  if (!t.in_flight.empty()) return;
  const bool complete = [&] {
    if (!t.total) return false;
    for (int p = 1; p <= std::max(1, t.total_pages); ++p)
      if (!t.done.count(p)) return false;
    return true;
  }();
  if (complete) return end(t, TaskEnd::kDone, "");
  if (t.gave_up) return end(t, TaskEnd::kPartial, t.give_up_reason);
  if (!t.failed.empty()) {
    const auto& first = *t.failed.begin();
    const std::string detail =
        "page " + std::to_string(first.first) + ": " + first.second +
        (t.failed.size() > 1 ? " (and " + std::to_string(t.failed.size() - 1) + " more pages)"
                             : "");
    return end(t, t.done.empty() ? TaskEnd::kFailed : TaskEnd::kPartial, detail);
  }
  end(t, TaskEnd::kReleased, t.interrupted || stopping ? "interrupted" : "not finished");
}

void TaskMachine::end(TaskState& t, TaskEnd end, const std::string& detail) {
  t.finished = true;
  EndpointTotals& totals = totals_[t.claim.endpoint];
  switch (end) {
    case TaskEnd::kDone:
      ++totals.tasks_done;
      break;
    case TaskEnd::kFailed:
      ++totals.tasks_failed;
      break;
    case TaskEnd::kPartial:
      ++totals.tasks_partial;
      break;
    case TaskEnd::kReleased:
      ++totals.tasks_released;
      break;
  }
  if ((end == TaskEnd::kDone || end == TaskEnd::kPartial) &&
      (t.claim.attempts > 1 || !t.failed.empty())) {
    store_.resolve_failures(t.claim.task_id);  // failures of pages now stored are resolved
  }
  hooks_.ended(t, end, detail);
}

PageWrite TaskMachine::page_write(const TaskState& t, const PageOutcome& o, int page) const {
  PageWrite w;
  w.request.task_id = t.claim.task_id;
  w.request.endpoint = t.claim.endpoint;
  w.request.url = o.url;
  w.request.params = t.claim.params;
  w.request.page = page;
  w.request.http_status = static_cast<int>(o.http_status);
  w.request.etag = o.etag;
  w.request.collected_at = utc_timestamp_now();
  w.run_id = run_id_;
  return w;
}

void TaskMachine::accept(TaskState& t, const PageOutcome& o, int page, PreparedPayload payload,
                         std::int64_t records, std::optional<std::int64_t> total_records,
                         std::optional<std::int64_t> total_pages) {
  PageWrite w = page_write(t, o, page);
  w.has_body = !payload.sha256.empty();
  EndpointTotals& totals = totals_[t.claim.endpoint];
  totals.pages += 1;
  totals.records += records;
  totals.bytes += payload.raw_size;
  totals.bytes_compressed += payload.compressed.size();
  w.payload = std::move(payload);
  w.records = records;
  w.total_records = total_records;
  w.total_pages = total_pages;
  t.done.insert(page);
  store_.put_page(std::move(w));
}

void TaskMachine::keep_superseded(TaskState& t, const PageOutcome& o, int page,
                                  PreparedPayload payload, bool has_body, bool result_row) {
  PageWrite w = page_write(t, o, page);
  w.has_body = has_body;
  w.payload = std::move(payload);
  w.result_row = result_row;
  w.superseded = true;
  if (o.envelope) {
    w.records = static_cast<std::int64_t>(o.envelope->record_count);
    w.total_records = o.envelope->total_registros;
    w.total_pages = o.envelope->total_paginas;
  }
  store_.put_page(std::move(w));
}

void TaskMachine::shift(TaskState& t, int page, std::optional<std::int64_t> before,
                        std::optional<std::int64_t> after) {
  ++t.shifts;
  ++t.generation;
  t.done.clear();
  ++totals_[t.claim.endpoint].shifts;
  log_info("data shift: totalRegistros moved while paging; refetching the task",
           {{"endpoint", t.claim.endpoint},
            {"task", t.claim.task_id},
            {"page", std::to_string(page)},
            {"before", before ? std::to_string(*before) : "?"},
            {"after", after ? std::to_string(*after) : "empty"}});
  store_.put_shift({run_id_, t.claim.task_id, t.claim.endpoint, page, before, after});
  if (t.shifts > rules_.max_shift_rounds) {
    t.gave_up = true;
    t.give_up_reason = "totalRegistros kept changing (" + std::to_string(t.shifts) +
                       " shifts); run retry-failed later";
  }
}

void TaskMachine::on_success(TaskState& t, const Job& job, PageOutcome& o,
                             PreparedPayload payload) {
  const PageEnvelope& env = *o.envelope;
  const auto records = static_cast<std::int64_t>(env.record_count);
  // Pages without envelope numbers (not PNCP's) are taken as a single page.
  const std::optional<std::int64_t> total =
      env.total_registros ? env.total_registros : std::optional<std::int64_t>(records);
  const std::int64_t total_pages = env.total_paginas.value_or(1);
  if (t.finished || t.gave_up)
    return keep_superseded(t, o, job.page, std::move(payload), true, true);
  if (!t.total) {
    t.total = total;
    t.total_pages = static_cast<int>(total_pages);
    return accept(t, o, job.page, std::move(payload), records, total, total_pages);
  }
  if (total == t.total) {
    if (t.done.count(job.page) || job.page > std::max(1, t.total_pages)) {
      return keep_superseded(t, o, job.page, std::move(payload), true, true);
    }
    return accept(t, o, job.page, std::move(payload), records, total, total_pages);
  }
  if (job.generation < t.generation) {  // asked before the last shift: not comparable
    return keep_superseded(t, o, job.page, std::move(payload), true, true);
  }
  shift(t, job.page, t.total, total);
  if (t.gave_up) return keep_superseded(t, o, job.page, std::move(payload), true, true);
  t.total = total;
  t.total_pages = static_cast<int>(total_pages);
  accept(t, o, job.page, std::move(payload), records, total, total_pages);
}

void TaskMachine::on_empty(TaskState& t, const Job& job, PageOutcome& o) {
  if (t.finished || t.gave_up || job.generation < t.generation) {
    return keep_superseded(t, o, job.page, {}, false, false);
  }
  if (job.page == 1) {
    if (t.total && *t.total != 0) {
      shift(t, 1, t.total, 0);
      if (t.gave_up) return keep_superseded(t, o, job.page, {}, false, false);
    }
    t.total = 0;
    t.total_pages = 0;
    return accept(t, o, 1, {}, 0, 0, 0);
  }
  // A later page came back empty: the result shrank under us. Start again from page 1.
  keep_superseded(t, o, job.page, {}, false, false);
  shift(t, job.page, t.total, std::nullopt);
  t.total.reset();
  t.total_pages = -1;
}

void TaskMachine::on_failure(TaskState& t, const Job& job, PageOutcome& o) {
  const std::string message = failure_message(o);
  t.failed[job.page] = message;
  ++totals_[t.claim.endpoint].failures;
  const std::string error_class = o.status == FetchStatus::kFailed ? "permanent" : "exhausted";
  log_warn("page failed", {{"endpoint", t.claim.endpoint},
                           {"url", o.url},
                           {"class", error_class},
                           {"attempts", std::to_string(o.attempts)},
                           {"error", message}});
  store_.put_failure({t.claim.task_id, t.claim.endpoint, o.url, job.page, o.http_status,
                      error_class, message, o.attempts});
}

}  // namespace baliza::extract
