#include "extract/task_state.h"

#include <algorithm>
#include <unordered_map>

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
  if (is_array(t)) return resume_array(t, stored);
  // The pages that agree with the first stored page's total are kept.
  const StoredPage& ref = stored.front();
  t.total = ref.total_records;
  t.total_pages = ref.total_pages;
  bool inconsistent = false;
  for (const StoredPage& p : stored) {
    if (p.total_records != t.total) {
      inconsistent = true;
      continue;
    }
    const std::optional<std::int64_t> expected = expected_records(t, p.page);
    if (expected && p.records != *expected) {
      t.replace.insert(p.page);  // stored short by an earlier run: asked again, then replaced
      continue;
    }
    t.done.insert(p.page);
    t.records[p.page] = p.records;
    if (!p.record_hashes.empty()) t.hashes[p.page] = p.record_hashes;
  }
  if (inconsistent) store_.supersede_other_totals(t.claim.task_id, t.total);
  // Every page stored and whole: a done task re-checked (plan/recheck.h). Even an empty one is
  // read again.
  t.recheck = t.total && !inconsistent && t.replace.empty() &&
              static_cast<int>(t.done.size()) >= std::max(1, t.total_pages);
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
  const auto ask = [&](int page) { return hooks_.submit(t, page, {}, false); };
  if (!t.gave_up && !t.interrupted && !stopping) {
    try {
      if (is_array(t)) {
        for (int p = 1; p <= std::max(1, t.total_pages); ++p) {
          if (t.done.count(p) || t.in_flight.count(p) || t.failed.count(p)) continue;
          if (!ask(p)) break;
        }
      } else if (!t.total) {
        if (!t.in_flight.count(1) && !t.failed.count(1)) ask(1);
      } else {
        const int last = std::max(1, t.total_pages);
        for (int p = 1; p <= last; ++p) {
          if (t.done.count(p) || t.in_flight.count(p) || t.failed.count(p)) continue;
          if (!ask(p)) break;
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
  if (complete && !t.gave_up) {
    switch (ask_repeats_again(t, stopping || t.interrupted)) {
      case Repeats::kAsked:
        return;
      case Repeats::kCannotAsk:
        return end(t, TaskEnd::kReleased, "interrupted before repeated records were asked again");
      case Repeats::kNone:
        break;
    }
    const std::string missing = incomplete(t);
    if (!missing.empty()) return end(t, TaskEnd::kPartial, missing);
    if (!t.confirm_error.empty())
      return end(t, TaskEnd::kPartial,
                 is_array(t) ? "not proved complete: its count was not read: " + t.confirm_error
                             : "total not confirmed: page 1 read again: " + t.confirm_error);
    // The total is proved by a second read of page 1 after every page is stored (an empty
    // answer, total 0, is left to the recent-days re-check); a bare array's by its count.
    const bool proved = is_array(t)
                            ? !is_counted(t) || t.counted || (*t.total == 0 && t.empty_status)
                            : !rules_.confirm_total || t.confirmed || (*t.total == 0 && !t.recheck);
    if (proved) return end(t, TaskEnd::kDone, "");
    if (!stopping && !t.interrupted && hooks_.submit(t, 1, {}, true)) return;
    return end(t, TaskEnd::kReleased, "interrupted before its total was confirmed");
  }
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

void TaskMachine::extend_array(TaskState& t, int page, std::int64_t records) {
  const auto it = rules_.page_sizes.find(t.claim.endpoint);
  const std::int64_t size = it == rules_.page_sizes.end() ? 0 : it->second;
  if (size > 0 && records >= size) {  // full: there may be more
    if (!t.total) t.total_pages = std::max(t.total_pages, page + 1);
    return;
  }
  if (t.total && page >= t.total_pages) return;  // a later short page changes nothing
  t.total_pages = page;
  std::int64_t sum = 0;
  for (const auto& [p, n] : t.records)
    if (p <= page) sum += n;
  t.total = sum;
}

void TaskMachine::resume_array(TaskState& t, const std::vector<StoredPage>& stored) {
  for (const StoredPage& p : stored) {
    t.done.insert(p.page);
    t.records[p.page] = p.records;
    if (!p.record_hashes.empty()) t.hashes[p.page] = p.record_hashes;
  }
  // Walk the stored pages from 1: a short one closes the task, a gap is asked for.
  t.total_pages = 1;
  for (int page = 1; t.done.count(page) && !t.total; ++page) extend_array(t, page, t.records[page]);
}

std::optional<std::int64_t> TaskMachine::expected_records(const TaskState& t, int page) const {
  if (!t.total || t.total_pages < 1) return std::nullopt;
  const auto it = rules_.page_sizes.find(t.claim.endpoint);
  if (it == rules_.page_sizes.end() || it->second <= 0) return std::nullopt;
  const std::int64_t size = it->second, total = *t.total;
  // Only when the envelope agrees with the page size asked for (else the server paged by
  // another size, and only the sum can be checked).
  if ((total + size - 1) / size != t.total_pages) return std::nullopt;
  if (page < t.total_pages) return size;
  if (page == t.total_pages) return total - (t.total_pages - 1) * size;
  return std::nullopt;
}

TaskMachine::Repeats TaskMachine::ask_repeats_again(TaskState& t, bool cannot_ask) {
  // For each page (in order), the records already served on an earlier page.
  std::unordered_map<std::uint64_t, int> first_page;
  std::map<int, std::pair<std::int64_t, int>> repeats;  // page -> (records, an earlier page)
  for (const auto& [page, hashes] : t.hashes) {
    if (page > std::max(1, t.total_pages) || !t.done.count(page)) continue;
    for (const std::uint64_t h : hashes) {
      const auto [it, fresh] = first_page.emplace(h, page);
      if (!fresh && it->second != page) {
        auto& r = repeats[page];
        ++r.first;
        r.second = it->second;
      }
    }
  }
  t.repeated = 0;
  if (repeats.empty()) return Repeats::kNone;
  const auto own = rules_.short_page_retries_by_endpoint.find(t.claim.endpoint);
  const int retries =
      own == rules_.short_page_retries_by_endpoint.end() ? rules_.short_page_retries : own->second;
  bool asked = false;
  for (const auto& [page, r] : repeats) {
    const std::string what = "page " + std::to_string(page) + " repeated " +
                             std::to_string(r.first) + " records of page " +
                             std::to_string(r.second) +
                             " (the API's order moved while the task was paged)";
    if (t.short_pages.count(page)) {  // recorded already: its repeats are missing records
      t.repeated += r.first;
      continue;
    }
    const int tries = ++t.short_tries[page];
    const auto url_it = t.urls.find(page);
    const std::string url = url_it == t.urls.end() ? std::string() : url_it->second;
    if (tries <= retries) {
      if (cannot_ask) return Repeats::kCannotAsk;
      auto delay = rules_.short_page_backoff;
      for (int i = 1; i < tries && delay < rules_.short_page_backoff_cap; ++i) delay *= 2;
      delay = std::min(delay, rules_.short_page_backoff_cap);
      log_info("repeated records: asking the page again", {{"endpoint", t.claim.endpoint},
                                                           {"url", url},
                                                           {"detail", what},
                                                           {"try", std::to_string(tries)}});
      if (!hooks_.submit(t, page, delay, false)) return Repeats::kCannotAsk;
      t.done.erase(page);
      t.records.erase(page);
      t.hashes.erase(page);
      t.replace.insert(page);  // its stored row is replaced by the new answer
      asked = true;
      continue;
    }
    const std::string message = what + " after " + std::to_string(tries) + " answers; " +
                                std::to_string(r.first) + " records missing";
    t.short_pages[page] = message;
    t.repeated += r.first;
    ++totals_[t.claim.endpoint].failures;
    log_warn("page still repeats records of another page",
             {{"endpoint", t.claim.endpoint}, {"url", url}, {"detail", message}});
    store_.put_failure(
        {t.claim.task_id, t.claim.endpoint, url, page, 200, "repeated_records", message, tries});
  }
  return asked ? Repeats::kAsked : Repeats::kNone;
}

std::string TaskMachine::incomplete(const TaskState& t) const {
  std::int64_t stored = 0;
  for (const auto& [page, n] : t.records) {
    if (page <= std::max(1, t.total_pages)) stored += n;
  }
  stored -= t.repeated;  // a record served twice counts once
  if (t.short_pages.empty() && stored == *t.total) return {};
  const std::int64_t missing = *t.total - stored;
  if (missing <= 0)  // an empty answer its parent contradicts (expect_records)
    return t.short_pages.begin()->second + "; run `baliza retry-failed` later";
  std::string detail = std::to_string(missing) + " records missing: stored " +
                       std::to_string(stored) + (t.repeated ? " distinct" : "") + " of " +
                       total_name(t) + " " + std::to_string(*t.total);
  if (!t.short_pages.empty()) {
    detail += "; " + t.short_pages.begin()->second;
    if (t.short_pages.size() > 1)
      detail += " (and " + std::to_string(t.short_pages.size() - 1) + " more short pages)";
  }
  return detail + "; run `baliza retry-failed` later";
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
  w.replaces_current = t.replace.erase(page) > 0;
  t.done.insert(page);
  t.records[page] = records;
  if (o.envelope) t.hashes[page] = o.envelope->record_hashes;
  t.urls[page] = o.url;
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
  t.records.clear();
  t.short_tries.clear();
  t.short_pages.clear();
  t.confirmed = false;
  t.counted = false;
  t.empty_status = false;
  t.hashes.clear();
  t.urls.clear();
  t.repeated = 0;
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
    if (is_array(t) && before && after && *after < *before) {
      // A bare array's count below what its pages delivered, read after every repaging.
      t.give_up_reason = "the count (" + std::to_string(*after) + ") stayed below the " +
                         std::to_string(*before) + " records its pages delivered, " +
                         std::to_string(t.shifts) +
                         " times: not proved complete; run retry-failed later";
    } else {
      t.give_up_reason = (is_array(t) ? "the records" : "totalRegistros") +
                         std::string(" kept changing (") + std::to_string(t.shifts) +
                         " shifts); run retry-failed later";
    }
  }
}

void TaskMachine::on_success(TaskState& t, const Job& job, PageOutcome& o,
                             PreparedPayload payload) {
  const PageEnvelope& env = *o.envelope;
  const auto records = static_cast<std::int64_t>(env.record_count);
  if (is_array(t) && job.confirm) return on_count(t, job, o, env.total_registros.value_or(0));
  if (is_array(t) && !t.finished && !t.gave_up) {
    if (job.generation < t.generation || t.done.count(job.page))
      return keep_superseded(t, o, job.page, std::move(payload), true, true);
    if (records == 0 && job.page == 1 && on_missing(t, job, o, payload, true)) return;
    if (t.counted) {  // the count is the total: each page's length is known
      const std::optional<std::int64_t> expected = expected_records(t, job.page);
      if (expected && records != *expected && !t.short_pages.count(job.page))
        return on_short(t, job, o, std::move(payload), records, *expected);
      return accept(t, o, job.page, std::move(payload), records, std::nullopt, std::nullopt);
    }
    accept(t, o, job.page, std::move(payload), records, std::nullopt, std::nullopt);
    return extend_array(t, job.page, records);
  }
  // Pages without envelope numbers (not PNCP's) are taken as a single page.
  const std::optional<std::int64_t> total =
      env.total_registros ? env.total_registros : std::optional<std::int64_t>(records);
  // No totalPaginas: the pages the total makes at the page size asked for.
  const std::int64_t total_pages = [&]() -> std::int64_t {
    if (env.total_paginas) return *env.total_paginas;
    const auto size = rules_.page_sizes.find(t.claim.endpoint);
    if (!env.total_registros || size == rules_.page_sizes.end() || size->second <= 0) return 1;
    return std::max<std::int64_t>(1, (*env.total_registros + size->second - 1) / size->second);
  }();
  if (t.finished || t.gave_up)
    return keep_superseded(t, o, job.page, std::move(payload), true, true);
  if (job.confirm && job.generation == t.generation) {
    // The closing read: not a page of the task (its body is not stored again), a check.
    store_.put_completeness_check({run_id_, t.claim.task_id, t.claim.endpoint, t.total, total,
                                   total == t.total ? "confirmed" : "moved"});
    if (total == t.total) {
      t.confirmed = true;  // the same total after every page was stored: proved
      return;
    }
  }
  if (!t.total) {
    t.total = total;
    t.total_pages = static_cast<int>(total_pages);
  } else if (total == t.total) {
    if (t.done.count(job.page) || job.page > std::max(1, t.total_pages)) {
      return keep_superseded(t, o, job.page, std::move(payload), true, true);
    }
  } else if (job.generation < t.generation) {  // asked before the last shift: not comparable
    return keep_superseded(t, o, job.page, std::move(payload), true, true);
  } else {
    shift(t, job.page, t.total, total);
    if (t.gave_up) return keep_superseded(t, o, job.page, std::move(payload), true, true);
    t.total = total;
    t.total_pages = static_cast<int>(total_pages);
  }
  const std::optional<std::int64_t> expected = expected_records(t, job.page);
  if (expected && records != *expected && !t.short_pages.count(job.page)) {
    return on_short(t, job, o, std::move(payload), records, *expected);
  }
  accept(t, o, job.page, std::move(payload), records, total, total_pages);
}

void TaskMachine::on_short(TaskState& t, const Job& job, PageOutcome& o, PreparedPayload payload,
                           std::int64_t records, std::int64_t expected) {
  const int tries = ++t.short_tries[job.page];
  const std::string what = "page " + std::to_string(job.page) + " held " + std::to_string(records) +
                           " of " + std::to_string(expected) + " records (" + total_name(t) + " " +
                           std::to_string(*t.total) + ")";
  const auto own = rules_.short_page_retries_by_endpoint.find(t.claim.endpoint);
  const int retries =
      own == rules_.short_page_retries_by_endpoint.end() ? rules_.short_page_retries : own->second;
  if (tries <= retries) {
    // Kept for the record, then asked again after a backoff.
    keep_superseded(t, o, job.page, std::move(payload), true, true);
    auto delay = rules_.short_page_backoff;
    for (int i = 1; i < tries && delay < rules_.short_page_backoff_cap; ++i) delay *= 2;
    delay = std::min(delay, rules_.short_page_backoff_cap);
    log_info("short page: asking again", {{"endpoint", t.claim.endpoint},
                                          {"url", o.url},
                                          {"detail", what},
                                          {"try", std::to_string(tries)}});
    if (!hooks_.submit(t, job.page, delay, false)) t.interrupted = true;
    return;
  }
  // Still short: stored as it is (its records are real), and the task cannot be done.
  const std::string message = what + " after " + std::to_string(tries) + " answers; " +
                              std::to_string(expected - records) + " records missing";
  t.short_pages[job.page] = message;
  ++totals_[t.claim.endpoint].failures;
  log_warn("page still short after retries",
           {{"endpoint", t.claim.endpoint}, {"url", o.url}, {"detail", message}});
  store_.put_failure({t.claim.task_id, t.claim.endpoint, o.url, job.page, o.http_status,
                      "short_page", message, tries});
  if (is_array(t))  // bare-array pages are stored without totals, as they came
    return accept(t, o, job.page, std::move(payload), records, std::nullopt, std::nullopt);
  accept(t, o, job.page, std::move(payload), records, t.total,
         std::optional<std::int64_t>(t.total_pages));
}

bool TaskMachine::on_missing(TaskState& t, const Job& job, const PageOutcome& o,
                             PreparedPayload& payload, bool has_body) {
  if (!rules_.expect_records_endpoints.count(t.claim.endpoint) || o.http_status == 404 ||
      t.short_pages.count(job.page))
    return false;
  const int tries = ++t.short_tries[job.page];
  const auto own = rules_.short_page_retries_by_endpoint.find(t.claim.endpoint);
  const int retries =
      own == rules_.short_page_retries_by_endpoint.end() ? rules_.short_page_retries : own->second;
  const std::string what = "answered HTTP " + std::to_string(o.http_status) +
                           " with no records although its parent says it has some "
                           "(endpoints.yaml expect_records)";
  if (tries <= retries) {
    keep_superseded(t, o, job.page, std::move(payload), has_body, has_body);
    auto delay = rules_.short_page_backoff;
    for (int i = 1; i < tries && delay < rules_.short_page_backoff_cap; ++i) delay *= 2;
    delay = std::min(delay, rules_.short_page_backoff_cap);
    log_info("empty answer where records are expected: asking again",
             {{"endpoint", t.claim.endpoint}, {"url", o.url}, {"try", std::to_string(tries)}});
    if (!hooks_.submit(t, job.page, delay, false)) t.interrupted = true;
    return true;
  }
  // Still empty: taken as it is (the caller stores it), the task cannot be done.
  const std::string message = "page " + std::to_string(job.page) + " " + what + ", " +
                              std::to_string(tries) + " answers; 1 or more records missing";
  t.short_pages[job.page] = message;
  ++totals_[t.claim.endpoint].failures;
  log_warn("still empty where records are expected",
           {{"endpoint", t.claim.endpoint}, {"url", o.url}, {"detail", message}});
  store_.put_failure({t.claim.task_id, t.claim.endpoint, o.url, job.page, o.http_status,
                      "short_page", message, tries});
  return false;
}

void TaskMachine::on_count(TaskState& t, const Job& job, const PageOutcome& o, std::int64_t count) {
  if (t.finished || t.gave_up || job.generation != t.generation || !t.total) return;
  const std::int64_t stored = *t.total;
  const char* outcome = count == stored ? "confirmed" : count > stored ? "short" : "moved";
  store_.put_completeness_check(
      {run_id_, t.claim.task_id, t.claim.endpoint, stored, count, outcome});
  if (count < stored) {  // fewer than stored: the data moved; paged again, then counted again
    shift(t, 1, stored, count);
    t.total.reset();
    t.total_pages = -1;
    return;
  }
  t.counted = true;
  if (count == stored) return;  // proved
  // More than stored: the count is the total now, and the pages it contradicts are short.
  const auto size_it = rules_.page_sizes.find(t.claim.endpoint);
  const std::int64_t size = size_it == rules_.page_sizes.end() ? 0 : size_it->second;
  t.total = count;
  t.total_pages = size > 0 ? static_cast<int>((count + size - 1) / size) : 1;
  log_info("count above the stored records: asking the short pages again",
           {{"endpoint", t.claim.endpoint},
            {"url", o.url},
            {"count", std::to_string(count)},
            {"stored", std::to_string(stored)}});
  const auto own = rules_.short_page_retries_by_endpoint.find(t.claim.endpoint);
  const int retries =
      own == rules_.short_page_retries_by_endpoint.end() ? rules_.short_page_retries : own->second;
  const std::map<int, std::int64_t> pages = t.records;
  for (const auto& [page, n] : pages) {
    const std::optional<std::int64_t> expected = expected_records(t, page);
    if (!expected || n == *expected || t.short_pages.count(page)) continue;
    const int tries = ++t.short_tries[page];
    const std::string what = "page " + std::to_string(page) + " held " + std::to_string(n) +
                             " of " + std::to_string(*expected) + " records (the count " +
                             std::to_string(count) + ")";
    if (tries > retries) {
      const std::string message = what + "; " + std::to_string(*expected - n) + " records missing";
      t.short_pages[page] = message;
      ++totals_[t.claim.endpoint].failures;
      store_.put_failure({t.claim.task_id, t.claim.endpoint, o.url, page, o.http_status,
                          "short_page", message, tries});
      continue;
    }
    t.done.erase(page);
    t.records.erase(page);
    t.replace.insert(page);  // its stored row is replaced by the new answer
    auto delay = rules_.short_page_backoff;
    for (int i = 1; i < tries && delay < rules_.short_page_backoff_cap; ++i) delay *= 2;
    delay = std::min(delay, rules_.short_page_backoff_cap);
    if (!hooks_.submit(t, page, delay, false)) t.interrupted = true;
  }
}

void TaskMachine::on_empty(TaskState& t, const Job& job, PageOutcome& o) {
  if (is_array(t) && job.confirm) {  // the count answered an empty status
    if (t.finished || t.gave_up || job.generation != t.generation || !t.total) return;
    const bool none = *t.total == 0;
    store_.put_completeness_check({run_id_, t.claim.task_id, t.claim.endpoint, t.total,
                                   std::nullopt, none ? "confirmed" : "no_count"});
    if (none) {
      t.counted = true;
    } else {
      t.confirm_error = o.url + " answered HTTP " + std::to_string(o.http_status) +
                        " (no count) while " + std::to_string(*t.total) + " records are stored";
    }
    return;
  }
  if (t.finished || t.gave_up || job.generation < t.generation) {
    return keep_superseded(t, o, job.page, {}, false, false);
  }
  if (is_array(t) && job.page == 1 && !job.confirm) {
    PreparedPayload none;
    if (on_missing(t, job, o, none, false)) return;
  }
  if (is_array(t) && job.page > 1) {  // past the last full page: the end
    if (t.done.count(job.page)) return keep_superseded(t, o, job.page, {}, false, false);
    accept(t, o, job.page, {}, 0, std::nullopt, std::nullopt);
    return extend_array(t, job.page, 0);
  }
  if (job.page == 1) {
    if (job.confirm) {
      const bool same = t.total && *t.total == 0;
      store_.put_completeness_check(
          {run_id_, t.claim.task_id, t.claim.endpoint, t.total, 0, same ? "confirmed" : "moved"});
      if (same) {
        t.confirmed = true;  // still empty
        return;
      }
    }
    if (t.total && *t.total != 0) {
      shift(t, 1, t.total, 0);
      if (t.gave_up) return keep_superseded(t, o, job.page, {}, false, false);
    }
    t.total = 0;
    t.total_pages = 0;
    t.empty_status = is_array(t);  // the API says there is nothing (204/404): nothing to count
    return accept(t, o, 1, {}, 0, 0, 0);
  }
  // A later page came back empty: the result shrank under us. Start again from page 1.
  keep_superseded(t, o, job.page, {}, false, false);
  shift(t, job.page, t.total, std::nullopt);
  if (t.gave_up)
    t.give_up_reason += "; the last time " + o.url + " answered HTTP " +
                        std::to_string(o.http_status) + " with no records";
  t.total.reset();
  t.total_pages = -1;
}

void TaskMachine::on_failure(TaskState& t, const Job& job, PageOutcome& o) {
  const std::string message = failure_message(o);
  if (job.page > 1 && ((o.http_status == 400 && message.find("inexistente") != std::string::npos) ||
                       o.http_status == 404)) {
    // "Página N inexistente": the data shrank under us. Start again from page 1 (unless a
    // shift since this page was asked already did).
    keep_superseded(t, o, job.page, {}, false, false);
    if (t.finished || t.gave_up || job.generation < t.generation) return;
    shift(t, job.page, t.total, std::nullopt);
    if (t.gave_up) t.give_up_reason += "; the last time " + o.url + " answered " + message;
    t.total.reset();
    t.total_pages = -1;
    return;
  }
  if (job.confirm) {
    t.confirm_error = o.url + ": " + message;  // which read failed: the count or page 1
  } else {
    t.failed[job.page] = message;
  }
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
