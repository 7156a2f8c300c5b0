#include "extract/extractor.h"

#include "plan/base_url.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "extract/drift_recorder.h"
#include "extract/duckdb_claim_store.h"
#include "extract/duckdb_extraction_store.h"
#include "extract/endpoint_progress.h"
#include "extract/http_client.h"
#include "extract/page_processors.h"
#include "extract/progress.h"
#include "extract/task_state.h"
#include "plan/page_url.h"

namespace baliza::extract {
namespace {

class Extraction {
 public:
  Extraction(ExtractionStore& store, ClaimStore& claims, const plan::EndpointsConfig& config,
             const ExtractOptions& options)
      : store_(store),
        claims_(claims),
        config_(config),
        options_(options),
        machine_(
            store, run_id(options), task_rules(config, options),
            TaskMachine::Hooks{[this](TaskState& t, int page, std::chrono::milliseconds delay,
                                      bool confirm) { return submit(t, page, delay, confirm); },
                               [this](TaskState& t, TaskEnd end, const std::string& detail) {
                                 ended(t, end, detail);
                               }},
            result_.endpoints) {
    if (!options_.base_url.empty()) {
      // An endpoint whose base_url is relative to the top-level one (../pncp) moves with it.
      for (auto& e : config_.endpoints) {
        e.base_url = e.base_url_ref.empty()
                         ? options_.base_url
                         : plan::resolve_base_url(options_.base_url, e.base_url_ref);
      }
    }
    result_.run_id = run_id(options);
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    worker_id_ = !options_.worker_id.empty() ? options_.worker_id
                                             : std::string(host) + ":" + std::to_string(getpid()) +
                                                   ":" + result_.run_id.substr(0, 8);
    engine_options_ = engine_options(config_, options_.concurrency, options_.max_attempts);
    engine_options_.retry_seed = options_.retry_seed;
    // Workers of one plan name themselves, so that an API (or the simulator) can tell them apart.
    if (!options_.worker_id.empty()) {
      engine_options_.http.user_agent += " (worker " + options_.worker_id + ")";
    }
  }

  ExtractResult run();

 private:
  // The run id, generated once when the options leave it empty.
  std::string run_id(const ExtractOptions& options) {
    if (run_id_.empty()) run_id_ = options.run_id.empty() ? random_id() : options.run_id;
    return run_id_;
  }

  static TaskRules task_rules(const plan::EndpointsConfig& config, const ExtractOptions& o) {
    TaskRules r;
    r.max_shift_rounds = o.max_shift_rounds;
    if (o.short_page_retries >= 0) r.short_page_retries = o.short_page_retries;
    r.confirm_total = o.confirm_total;
    r.short_page_backoff =
        std::chrono::milliseconds(std::max(1, config.defaults.retry.base_backoff_ms));
    r.short_page_backoff_cap = std::chrono::milliseconds(
        std::max(config.defaults.retry.base_backoff_ms, config.defaults.retry.max_backoff_ms));
    for (const auto& e : config.endpoints) {
      if (!e.page_size_param.empty()) r.page_sizes[e.name] = e.page_size;
      if (o.short_page_retries < 0) r.short_page_retries_by_endpoint[e.name] = e.short_page_retries;
      if (e.array_body) r.array_endpoints.insert(e.name);
      if (e.array_body && !e.count_path.empty()) r.counted_endpoints.insert(e.name);
      if (e.expect_records) r.expect_records_endpoints.insert(e.name);
    }
    return r;
  }
  // Deferred requests whose time has come go on the wire; when stopping, they are dropped.
  void submit_deferred(bool stopping);

  void load_schema_versions();
  void start_tasks(std::vector<ClaimedTask> claimed);
  ProgressSnapshot snapshot();

  // ---- page processing (processor threads) ----
  void process(PageOutcome& o);
  void observe_schema(const std::string& endpoint, const std::string& body, const std::string& url);

  // ---- TaskMachine hooks (under mutex_) ----
  bool submit(TaskState& t, int page, std::chrono::milliseconds delay, bool confirm);
  void ended(TaskState& t, TaskEnd end, const std::string& detail);

  std::string run_id_;  // before machine_: its constructor reads it
  ExtractionStore& store_;
  ClaimStore& claims_;
  plan::EndpointsConfig config_;
  ExtractOptions options_;
  ExtractResult result_;
  TaskMachine machine_;
  FetchEngineOptions engine_options_;
  std::unique_ptr<FetchEngine> engine_;
  std::unique_ptr<PageProcessors> processors_;
  DriftRecorder drift_;
  std::string worker_id_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  // Task state, totals and progress, under mutex_.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<std::string, TaskState> tasks_;
  std::unordered_map<std::uint64_t, Job> jobs_;
  std::uint64_t next_tag_ = 1;
  struct Deferred {
    std::chrono::steady_clock::time_point due;
    Job job;
  };
  std::vector<Deferred> deferred_;  // asked again after a backoff (short pages)
  std::int64_t active_ = 0;
  std::map<std::string, std::int64_t> active_by_endpoint_;
  std::int64_t finished_ = 0;
  std::int64_t claimed_total_ = 0;
  std::map<std::string, std::int64_t> planned_;  // pending tasks per endpoint at the start
  bool stopping_ = false;
  std::set<std::string> endpoints_claimed_;  // for options_.on_endpoint_claimed (loop thread)
};

// ---------------------------------------------------------------------------------------------

ExtractResult Extraction::run() {
  store_.run_started({result_.run_id, options_.command, worker_id_});
  load_schema_versions();
  result_.orphaned_claims = claims_.start_worker(worker_id_);
  if (result_.orphaned_claims > 0) {
    log_warn("released claims left by a process that died",
             {{"claims", std::to_string(result_.orphaned_claims)}});
  }
  const std::int64_t pending_at_start = claims_.count_pending(options_.scope);
  if (options_.progress) {  // per endpoint, for its progress bar
    for (const auto& e : config_.endpoints) {
      const auto& only = options_.scope.endpoints;
      if (!only.empty() && std::find(only.begin(), only.end(), e.name) == only.end()) continue;
      ClaimScope one = options_.scope;
      one.endpoints = {e.name};
      if (const std::int64_t n = claims_.count_pending(one); n > 0) planned_[e.name] = n;
    }
  }
  const auto ttl = std::chrono::seconds(std::max(30, config_.defaults.claim_ttl_seconds));
  const int concurrency = engine_options_.http.max_in_flight;
  const int batch =
      options_.claim_batch > 0 ? options_.claim_batch : std::max(256, 32 * concurrency);
  // Keep about two batches claimed ahead, so a claim's round trip to the writer overlaps with
  // fetching instead of starving the engine (small tasks finish in well under a millisecond).
  const std::int64_t low_water = std::max<std::int64_t>(2 * concurrency, 2 * batch);

  processors_ = std::make_unique<PageProcessors>([this](PageOutcome& o) { process(o); });
  engine_ = std::make_unique<FetchEngine>(
      engine_options_, [this](PageOutcome o) { processors_->push(std::move(o)); });
  engine_->circuits().set_listener(
      [this](const std::string& endpoint, CircuitState from, CircuitState to) {
        store_.put_circuit_event(
            {result_.run_id, endpoint, circuit_state_name(from), circuit_state_name(to)});
      });

  ProgressDisplay progress(options_.progress, options_.progress_tty, options_.progress_every);
  bool claims_exhausted = false, abandoned = false;
  auto grace_deadline = std::chrono::steady_clock::time_point::max();
  auto next_renew = std::chrono::steady_clock::now() + ttl / 3;
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    const int interrupts = options_.interrupts ? options_.interrupts->load() : 0;
    bool stopping;
    std::int64_t active, runnable;
    {
      std::lock_guard lock(mutex_);
      if (!stopping_ && engine_->environment_error()) {
        stopping_ = true;  // the engine cancelled itself: release the tasks, stop claiming
      }
      if (interrupts > 0 && !stopping_) {
        stopping_ = true;
        log_warn(
            "interrupted: no new tasks; finishing the pages in flight (Ctrl-C again to "
            "quit at once)");
        engine_->cancel(CancelMode::kFinishInFlight);
        grace_deadline = now + options_.grace;
      }
      stopping = stopping_;
      active = active_;
      // Tasks parked behind an open circuit do not count: the other endpoints go on.
      runnable = active_;
      for (const auto& [endpoint, n] : active_by_endpoint_) {
        if (n > 0 && engine_->circuits().state(endpoint) == CircuitState::kOpen) runnable -= n;
      }
    }
    submit_deferred(stopping);
    if (stopping && !abandoned && now >= grace_deadline) {
      log_warn("grace period over: abandoning the pages still in flight");
      engine_->cancel(CancelMode::kAbandonInFlight);
      abandoned = true;
    }
    if (!stopping && !claims_exhausted && runnable < low_water) {
      std::vector<ClaimedTask> claimed = claims_.claim(worker_id_, batch, ttl, options_.scope);
      if (claimed.empty()) {
        claims_exhausted = true;
      } else {
        if (options_.on_endpoint_claimed) {
          for (const ClaimedTask& t : claimed)
            if (endpoints_claimed_.insert(t.endpoint).second)
              options_.on_endpoint_claimed(t.endpoint);
        }
        start_tasks(std::move(claimed));
        continue;
      }
    }
    if (active == 0 && (claims_exhausted || stopping)) break;
    if (now >= next_renew) {
      claims_.renew(worker_id_, ttl);
      next_renew = now + ttl / 3;
    }
    ProgressSnapshot s = snapshot();
    s.tasks_total = std::max<std::int64_t>(s.tasks_total, pending_at_start);
    progress.update(s);
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(100));
  }
  progress.finish();

  engine_->cancel(CancelMode::kAbandonInFlight);
  engine_->wait_idle();
  result_.fetch = engine_->counters();
  result_.pacing = engine_->pacing();
  result_.environment_error = engine_->environment_error().value_or("");
  for (const auto& e : config_.endpoints) {
    if (engine_->circuits().state(e.name) != CircuitState::kClosed) {
      result_.open_circuits.push_back(e.name);
    }
  }
  processors_->stop();  // drains the outcomes still queued; they may still call the engine
  engine_.reset();
  {
    std::lock_guard lock(mutex_);
    result_.interrupted = stopping_ && result_.environment_error.empty();
  }
  store_.flush();
  result_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  result_.writer_failures = store_.refused_writes();
  store_.run_finished(run_end_record(result_));
  result_.writer_failures = store_.refused_writes();
  return result_;
}

void Extraction::load_schema_versions() {
  for (const auto& [endpoint, structure] : store_.schema_versions())
    drift_.add_known(endpoint, structure);
}

void Extraction::start_tasks(std::vector<ClaimedTask> claimed) {
  // A task claimed for the first time has no stored page (results are written only by
  // whoever holds its claim), so only earlier-claimed tasks are looked up.
  std::vector<std::string> again;
  for (const auto& t : claimed) {
    if (t.attempts > 1) again.push_back(t.task_id);
  }
  auto stored = store_.current_pages(again);
  std::lock_guard lock(mutex_);
  for (auto& c : claimed) {
    const std::string id = c.task_id;
    TaskState& t = tasks_[id];
    t = TaskState{};
    t.claim = std::move(c);
    ++active_;
    ++active_by_endpoint_[t.claim.endpoint];
    ++claimed_total_;
    auto it = stored.find(id);
    if (it != stored.end()) machine_.resume(t, it->second);
    if (config_.find(t.claim.endpoint) == nullptr) {
      machine_.end(t, TaskEnd::kFailed,
                   "endpoint '" + t.claim.endpoint + "' is not in the endpoints config; replan");
      continue;
    }
    machine_.pump(t, stopping_);
  }
  changed_.notify_all();
}

ProgressSnapshot Extraction::snapshot() {
  ProgressSnapshot s;
  {
    std::lock_guard lock(mutex_);
    const EndpointTotals t = result_.total();
    s.tasks_done = finished_;
    s.tasks_total = claimed_total_;
    s.pages = t.pages;
    s.records = t.records;
    s.bytes = t.bytes;
    s.failures = t.failures;
    if (options_.progress)
      s.endpoints = estimate_endpoint_progress(planned_, result_.endpoints, tasks_);
  }
  if (engine_) {
    const FetchCounters c = engine_->counters();
    s.in_flight = c.in_flight;
    s.retries = c.retries;
    s.open_circuits = c.open_circuits;
    s.throttled = c.throttled;
    for (const HostPacing& h : engine_->pacing()) s.rate += h.rate;
  }
  s.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return s;
}

// ---------------------------------------------------------------------------------------------

void Extraction::process(PageOutcome& o) {
  PreparedPayload payload;
  if (o.status == FetchStatus::kSuccess && !o.count) {  // a count is a check, not a page
    payload = prepare_payload(o.body, options_.raw);    // off the writer thread
    observe_schema(o.endpoint, o.body, o.url);
  }
  std::lock_guard lock(mutex_);
  auto job_it = jobs_.find(o.tag);
  if (job_it == jobs_.end()) return;
  const Job job = job_it->second;
  jobs_.erase(job_it);
  auto task_it = tasks_.find(job.task_id);
  if (task_it == tasks_.end()) return;
  TaskState& t = task_it->second;
  t.in_flight.erase(job.page);
  machine_.on_outcome(t, job, o, std::move(payload));
  machine_.pump(t, stopping_);
}

void Extraction::observe_schema(const std::string& endpoint, const std::string& body,
                                const std::string& url) {
  SchemaFingerprint fp;
  try {
    fp = sample_page_fingerprint(body, options_.drift_sample);
  } catch (const std::exception&) {
    return;  // the envelope parsed, so this cannot happen; drift is best effort anyway
  }
  std::optional<SchemaVersion> v = drift_.observe(endpoint, fp);
  if (!v) return;
  if (v->baseline) {
    log_debug("schema baseline recorded",
              {{"endpoint", endpoint}, {"fields", std::to_string(fp.fields().size())}});
  } else {
    log_warn("schema drift: " + endpoint + " records changed shape",
             {{"endpoint", endpoint}, {"url", url}, {"changes", v->changes}});
    std::lock_guard lock(mutex_);
    ++result_.endpoints[endpoint].drift;
  }
  store_.put_schema_version(*v, url);
}

bool Extraction::submit(TaskState& t, int page, std::chrono::milliseconds delay, bool confirm) {
  if (stopping_ || !engine_) return false;
  const Job job{t.claim.task_id, page, t.generation, confirm};
  if (delay.count() > 0) {
    deferred_.push_back({std::chrono::steady_clock::now() + delay, job});
    t.in_flight[page] = t.generation;
    return true;
  }
  // A bare-array task's closing read is its count (task_state.h), not page 1 again.
  const bool count = confirm && machine_.is_counted(t);
  const std::string url = count ? plan::count_url(config_, t.claim.endpoint, t.claim.params)
                                : plan::page_url(config_, t.claim.endpoint, t.claim.params, page);
  const std::uint64_t tag = next_tag_++;
  jobs_[tag] = job;
  t.in_flight[page] = t.generation;
  if (!engine_->submit(PageRequest{t.claim.endpoint, url, tag, {}, count})) {
    jobs_.erase(tag);
    t.in_flight.erase(page);
    return false;
  }
  return true;
}

void Extraction::submit_deferred(bool stopping) {
  std::lock_guard lock(mutex_);
  if (deferred_.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  std::vector<Deferred> due;
  std::erase_if(deferred_, [&](const Deferred& d) {
    if (!stopping && d.due > now) return false;
    due.push_back(d);
    return true;
  });
  for (const Deferred& d : due) {
    auto it = tasks_.find(d.job.task_id);
    if (it == tasks_.end()) continue;
    TaskState& t = it->second;
    t.in_flight.erase(d.job.page);
    if (stopping || d.job.generation != t.generation || t.finished ||
        !submit(t, d.job.page, {}, d.job.confirm)) {
      if (stopping) t.interrupted = true;
    }
    if (!t.finished) machine_.pump(t, stopping_);
  }
  changed_.notify_all();
}

void Extraction::ended(TaskState& t, TaskEnd end, const std::string& detail) {
  claims_.finish(t.claim, end, detail, result_.run_id);
  if (end != TaskEnd::kReleased) ++finished_;
  --active_;
  --active_by_endpoint_[t.claim.endpoint];
  const std::string task_id = t.claim.task_id;
  tasks_.erase(task_id);  // t dangles from here on
  changed_.notify_all();
}

}  // namespace

ExtractResult run_extract(ExtractionStore& store, ClaimStore& claims,
                          const plan::EndpointsConfig& config, const ExtractOptions& options) {
  // Load libcurl before anything is claimed or recorded, so a missing library fails cleanly.
  ensure_curl_global_init();
  Extraction extraction(store, claims, config, options);
  return extraction.run();
}

ExtractResult run_extract(Connection& conn, const plan::EndpointsConfig& config,
                          const ExtractOptions& options) {
  ensure_curl_global_init();
  Writer writer(conn, options.writer);
  DuckDbExtractionStore store(writer);
  DuckDbClaimStore claims(writer);
  ExtractResult result = run_extract(store, claims, config, options);
  writer.stop();
  result.writer_failures = store.refused_writes();
  if (!result.environment_error.empty()) throw environment_error(result.environment_error);
  return result;
}

}  // namespace baliza::extract
