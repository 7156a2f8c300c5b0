#include "extract/extractor.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "extract/drift_recorder.h"
#include "extract/http_client.h"
#include "extract/progress.h"
#include "plan/page_url.h"

namespace baliza::extract {

void EndpointTotals::add(const EndpointTotals& o) {
  tasks_done += o.tasks_done;
  tasks_failed += o.tasks_failed;
  tasks_partial += o.tasks_partial;
  tasks_released += o.tasks_released;
  pages += o.pages;
  records += o.records;
  bytes += o.bytes;
  bytes_compressed += o.bytes_compressed;
  failures += o.failures;
  shifts += o.shifts;
  drift += o.drift;
}

EndpointTotals ExtractResult::total() const {
  EndpointTotals t;
  for (const auto& [name, e] : endpoints) t.add(e);
  return t;
}

int ExtractResult::exit_code() const {
  if (interrupted) return 130;
  const EndpointTotals t = total();
  return t.tasks_failed > 0 || t.tasks_partial > 0 || writer_failures > 0 ? 1 : 0;
}

FetchEngineOptions engine_options(const plan::EndpointsConfig& config, int concurrency,
                                  int max_attempts) {
  const plan::ExtractDefaults& d = config.defaults;
  FetchEngineOptions o;
  o.http.max_in_flight = concurrency > 0 ? concurrency : std::max(1, d.concurrency);
  o.http.connect_timeout = std::chrono::seconds(std::max(1, d.timeouts.connect_seconds));
  o.http.total_timeout = std::chrono::seconds(std::max(1, d.timeouts.request_seconds));
  o.retry.max_attempts = max_attempts > 0 ? max_attempts : std::max(1, d.retry.max_attempts);
  o.retry.base = std::chrono::milliseconds(d.retry.base_backoff_ms);
  o.retry.cap =
      std::chrono::milliseconds(std::max(d.retry.base_backoff_ms, d.retry.max_backoff_ms));
  o.circuit.consecutive_failures = d.circuit_breaker.failure_threshold;
  o.circuit.failure_ratio = 0;  // endpoints.yaml states the consecutive-failure rule only
  o.circuit.open_for = std::chrono::seconds(d.circuit_breaker.open_seconds);
  o.circuit.half_open_probes = std::max(1, d.circuit_breaker.half_open_probes);
  o.rate.requests_per_second = d.rate_limit.requests_per_second;
  o.rate.burst = std::max(1, d.rate_limit.burst);
  for (const auto& e : config.endpoints) {
    EndpointPolicy policy;
    for (int s : e.empty_statuses) policy.empty_statuses.push_back(s);
    o.endpoints[e.name] = policy;
  }
  return o;
}

std::string failure_message(const PageOutcome& o) {
  if (!o.body.empty()) {
    const auto json = nlohmann::json::parse(o.body, nullptr, false);
    if (json.is_object()) {
      for (const char* key : {"message", "error", "detail"}) {
        if (json.contains(key) && json[key].is_string()) {
          return "HTTP " + std::to_string(o.http_status) + ": " + json[key].get<std::string>();
        }
      }
    }
    if (o.http_status >= 400 && o.body.find("<title>") != std::string::npos) {
      const size_t from = o.body.find("<title>") + 7;  // an HTML error page: its title says it
      const size_t to = o.body.find("</title>", from);
      if (to != std::string::npos && to - from < 200) {
        return "HTTP " + std::to_string(o.http_status) + ": " + o.body.substr(from, to - from);
      }
    }
    if (o.http_status >= 400) {
      std::string text;  // one line, whitespace collapsed, at most 200 chars
      for (char ch : o.body) {
        const bool space = ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ';
        if (space && (text.empty() || text.back() == ' ')) continue;
        text += space ? ' ' : ch;
        if (text.size() >= 200) break;
      }
      return "HTTP " + std::to_string(o.http_status) + ": " + text;
    }
  }
  if (!o.last_error.empty()) return o.last_error;
  return o.http_status ? "HTTP " + std::to_string(o.http_status) : std::string("no answer");
}

namespace {

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

struct StoredPage {
  int page = 0;
  std::int64_t records = 0;
  std::optional<std::int64_t> total_records;
  int total_pages = 0;
};

// What a processor hands the writer for one answered page.
struct PageRecord {
  std::string task_id, endpoint, url, params, etag, collected_at, run_id;
  int page = 0;
  int http_status = 200;
  bool has_body = false;
  PreparedPayload payload;
  bool result_row = true;  // false: only the raw request is kept
  bool superseded = false;
  std::int64_t records = 0;
  std::optional<std::int64_t> total_records;
  std::optional<std::int64_t> total_pages;
};

// Pages waiting for the batch's commit, on the writer thread only. Everything is bulk-appended
// (one appender per table per batch). raw.payloads is content-addressed: bodies already stored
// (one indexed lookup per batch) or repeated within the batch are appended once.
class PageBuffer final : public BatchBuffer {
 public:
  // Shared, not moved: a replayed item adds the same record again.
  void add(std::shared_ptr<const PageRecord> r) { pages_.push_back(std::move(r)); }

  void flush(Connection& conn) override {
    if (pages_.empty()) return;
    std::vector<std::shared_ptr<const PageRecord>> pages;
    pages.swap(pages_);
    std::unordered_set<std::string> skip = stored_payloads(conn, pages);
    Appender payloads = conn.appender("raw", "payloads");
    Appender requests = conn.appender("raw", "api_requests");
    Appender results = conn.appender("runtime", "task_results");
    for (const auto& record : pages) {
      const PageRecord& p = *record;
      const std::string request_id = random_id();
      if (p.has_body && skip.insert(p.payload.sha256).second) {
        payloads.append(p.payload.sha256)
            .append("zstd")
            .append_null()
            .append(static_cast<int64_t>(p.payload.raw_size))
            .append(static_cast<int64_t>(p.payload.compressed.size()))
            .append_blob(p.payload.compressed)
            .append(p.collected_at);
        payloads.end_row();
      }
      requests.append(request_id)
          .append(p.task_id)
          .append(p.endpoint)
          .append(p.url)
          .append(p.params)
          .append(static_cast<int64_t>(p.page))
          .append(static_cast<int64_t>(p.http_status))
          .append(p.etag);
      if (p.has_body) {
        requests.append(p.payload.sha256).append(static_cast<int64_t>(p.payload.raw_size));
      } else {
        requests.append_null().append_null();
      }
      requests.append(p.collected_at).append(p.collected_at.substr(0, 10));
      requests.end_row();
      if (!p.result_row) continue;
      results.append(random_id())
          .append(p.task_id)
          .append(request_id)
          .append(static_cast<int64_t>(p.page))
          .append(p.records)
          .append(p.total_records)
          .append(p.total_pages)
          .append(p.collected_at);
      if (p.superseded) {
        results.append(p.collected_at);
      } else {
        results.append_null();
      }
      results.append(p.run_id);
      results.end_row();
    }
    payloads.close();
    requests.close();
    results.close();
  }

  void discard() override { pages_.clear(); }

 private:
  // Hashes of this batch's bodies that raw.payloads already has.
  static std::unordered_set<std::string> stored_payloads(
      Connection& conn, const std::vector<std::shared_ptr<const PageRecord>>& pages) {
    std::string list;
    for (const auto& p : pages) {
      if (p->has_body) list += (list.empty() ? "" : ", ") + quote_literal(p->payload.sha256);
    }
    std::unordered_set<std::string> found;
    if (list.empty()) return found;
    Result r = conn.query("SELECT payload_sha256 FROM raw.payloads WHERE payload_sha256 IN (" +
                          list + ")");
    for (size_t i = 0; i < r.row_count(); ++i) found.insert(r.get_string(0, i));
    return found;
  }

  std::vector<std::shared_ptr<const PageRecord>> pages_;
};

class Extraction {
 public:
  Extraction(Connection& conn, const plan::EndpointsConfig& config, const ExtractOptions& options)
      : conn_(conn),
        config_(config),
        options_(options),
        writer_(conn, options.writer),
        pages_(std::make_shared<PageBuffer>()) {
    writer_.add_buffer(pages_);
    if (!options_.base_url.empty()) {
      for (auto& e : config_.endpoints) e.base_url = options_.base_url;
    }
    result_.run_id = options_.run_id.empty() ? random_id() : options_.run_id;
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    worker_id_ =
        std::string(host) + ":" + std::to_string(getpid()) + ":" + result_.run_id.substr(0, 8);
    writer_.set_error_handler([this](const std::string& message) {
      ++writer_failures_;
      log_error("could not store an extraction record", {{"error", message}});
    });
    claims_ = options_.claim_store ? options_.claim_store(writer_)
                                   : std::make_unique<DuckDbClaimStore>(writer_);
    engine_options_ = engine_options(config_, options_.concurrency, options_.max_attempts);
    engine_options_.retry_seed = options_.retry_seed;
  }

  ExtractResult run();

 private:
  // ---- setup and teardown (calling thread) ----
  void log_start();
  void log_end();
  void load_schema_versions();
  void start_tasks(std::vector<ClaimedTask> claimed);
  std::map<std::string, std::vector<StoredPage>> load_pages(const std::vector<ClaimedTask>& tasks);
  void start_processors();
  void stop_processors();
  ProgressSnapshot snapshot();

  // ---- page processing (processor threads) ----
  void on_outcome(PageOutcome outcome);
  void process(PageOutcome& o);
  void observe_schema(const std::string& endpoint, const std::string& body, const std::string& url);

  // ---- task state machine (under mutex_) ----
  void pump(TaskState& t);
  bool submit(TaskState& t, int page);
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
  void finish(TaskState& t, TaskEnd end, const std::string& detail);
  PageRecord record_for(const TaskState& t, const PageOutcome& o, int page);

  Connection& conn_;
  plan::EndpointsConfig config_;
  ExtractOptions options_;
  Writer writer_;
  std::shared_ptr<PageBuffer> pages_;
  std::unique_ptr<ClaimStore> claims_;
  FetchEngineOptions engine_options_;
  std::unique_ptr<FetchEngine> engine_;
  DriftRecorder drift_;
  std::string worker_id_;
  ExtractResult result_;
  std::atomic<std::uint64_t> writer_failures_{0};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  // Outcomes waiting for a processor.
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<PageOutcome> queue_;
  bool queue_closed_ = false;
  std::vector<std::thread> processors_;

  // Task state, totals and progress, under mutex_.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<std::string, TaskState> tasks_;
  std::unordered_map<std::uint64_t, Job> jobs_;
  std::uint64_t next_tag_ = 1;
  std::int64_t active_ = 0;
  std::map<std::string, std::int64_t> active_by_endpoint_;
  std::int64_t finished_ = 0;
  std::int64_t claimed_total_ = 0;
  bool stopping_ = false;
};

// ---------------------------------------------------------------------------------------------

ExtractResult Extraction::run() {
  log_start();
  load_schema_versions();
  result_.orphaned_claims = claims_->start_worker(worker_id_);
  if (result_.orphaned_claims > 0) {
    log_warn("released claims left by a process that died",
             {{"claims", std::to_string(result_.orphaned_claims)}});
  }
  const std::int64_t pending_at_start = claims_->count_pending(options_.scope);
  const auto ttl = std::chrono::seconds(std::max(30, config_.defaults.claim_ttl_seconds));
  const int concurrency = engine_options_.http.max_in_flight;
  const int batch =
      options_.claim_batch > 0 ? options_.claim_batch : std::max(256, 32 * concurrency);
  // Keep about two batches claimed ahead, so a claim's round trip to the writer overlaps with
  // fetching instead of starving the engine (small tasks finish in well under a millisecond).
  const std::int64_t low_water = std::max<std::int64_t>(2 * concurrency, 2 * batch);

  engine_ = std::make_unique<FetchEngine>(engine_options_,
                                          [this](PageOutcome o) { on_outcome(std::move(o)); });
  engine_->circuits().set_listener(
      [this](const std::string& endpoint, CircuitState from, CircuitState to) {
        const std::string run_id = result_.run_id;
        const std::string f = circuit_state_name(from), t = circuit_state_name(to);
        writer_.enqueue([=](Connection& c) {
          c.prepare("INSERT INTO meta.circuit_events VALUES ($1, $2, $3, $4, $5::TIMESTAMP)")
              .bind(1, run_id)
              .bind(2, endpoint)
              .bind(3, f)
              .bind(4, t)
              .bind(5, utc_timestamp_now())
              .execute();
        });
      });
  start_processors();

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
    if (stopping && !abandoned && now >= grace_deadline) {
      log_warn("grace period over: abandoning the pages still in flight");
      engine_->cancel(CancelMode::kAbandonInFlight);
      abandoned = true;
    }
    if (!stopping && !claims_exhausted && runnable < low_water) {
      std::vector<ClaimedTask> claimed = claims_->claim(worker_id_, batch, ttl, options_.scope);
      if (claimed.empty()) {
        claims_exhausted = true;
      } else {
        start_tasks(std::move(claimed));
        continue;
      }
    }
    if (active == 0 && (claims_exhausted || stopping)) break;
    if (now >= next_renew) {
      claims_->renew(worker_id_, ttl);
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
  for (const auto& e : config_.endpoints) {
    if (engine_->circuits().state(e.name) != CircuitState::kClosed) {
      result_.open_circuits.push_back(e.name);
    }
  }
  stop_processors();  // drains the outcomes still queued; they may still call the engine
  engine_.reset();
  {
    std::lock_guard lock(mutex_);
    result_.interrupted = stopping_;
  }
  writer_.flush();
  result_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  result_.writer_failures = writer_failures_.load();
  log_end();
  writer_.stop();
  result_.writer_failures = writer_failures_.load();
  return result_;
}

void Extraction::log_start() {
  const std::string run_id = result_.run_id, command = options_.command;
  writer_.call([&](Connection& c) {
    c.prepare(
         "INSERT INTO meta.execution_log (run_id, command, stage, status, started_at, details) "
         "VALUES ($1, $2, 'extract', 'running', $3::TIMESTAMP, $4)")
        .bind(1, run_id)
        .bind(2, command)
        .bind(3, utc_timestamp_now())
        .bind(4, "worker " + worker_id_)
        .execute();
  });
}

void Extraction::log_end() {
  const EndpointTotals t = result_.total();
  const std::string status = result_.interrupted        ? "interrupted"
                             : result_.exit_code() == 0 ? "success"
                                                        : "failed";
  nlohmann::json details;
  for (const auto& [name, e] : result_.endpoints) {
    details[name] = {{"tasks_done", e.tasks_done},
                     {"tasks_failed", e.tasks_failed},
                     {"tasks_partial", e.tasks_partial},
                     {"tasks_released", e.tasks_released},
                     {"pages", e.pages},
                     {"records", e.records},
                     {"bytes", e.bytes},
                     {"bytes_compressed", e.bytes_compressed},
                     {"failures", e.failures},
                     {"shifts", e.shifts},
                     {"drift", e.drift}};
  }
  const std::string message = std::to_string(t.tasks_done) + " tasks done, " +
                              std::to_string(t.tasks_failed + t.tasks_partial) + " failed, " +
                              std::to_string(t.pages) + " pages, " + std::to_string(t.records) +
                              " records";
  const std::string run_id = result_.run_id;
  const double seconds = result_.seconds;
  writer_.call([&](Connection& c) {
    const std::string now = utc_timestamp_now();
    c.prepare(
         "UPDATE meta.execution_log SET status = $1, message = $2, finished_at = $3::TIMESTAMP, "
         "details = $4 WHERE run_id = $5 AND stage = 'extract'")
        .bind(1, status)
        .bind(2, message)
        .bind(3, now)
        .bind(4, details.dump())
        .bind(5, run_id)
        .execute();
    auto metric = c.prepare(
        "INSERT INTO meta.pipeline_metrics (run_id, metric, scope, value, recorded_at) VALUES "
        "($1, $2, $3, $4, $5::TIMESTAMP)");
    auto put = [&](const std::string& name, const std::string& scope, double value) {
      metric.bind(1, run_id).bind(2, name).bind(3, scope).bind(4, value).bind(5, now).execute();
    };
    put("extract.seconds", "run", seconds);
    put("extract.pages_per_second", "run", seconds > 0 ? t.pages / seconds : 0);
    for (const auto& [name, e] : result_.endpoints) {
      put("extract.pages", name, static_cast<double>(e.pages));
      put("extract.records", name, static_cast<double>(e.records));
      put("extract.bytes", name, static_cast<double>(e.bytes));
      put("extract.failures", name, static_cast<double>(e.failures));
    }
  });
}

void Extraction::load_schema_versions() {
  writer_.call([&](Connection& c) {
    Result r =
        c.query("SELECT endpoint, structure FROM meta.schema_versions ORDER BY first_seen_at");
    for (size_t i = 0; i < r.row_count(); ++i)
      drift_.add_known(r.get_string(0, i), r.get_string(1, i));
  });
}

std::map<std::string, std::vector<StoredPage>> Extraction::load_pages(
    const std::vector<ClaimedTask>& tasks) {
  // A task claimed for the first time has no stored page (results are written only by
  // whoever holds its claim), so only earlier-claimed tasks are looked up.
  std::string ids;
  for (const auto& t : tasks) {
    if (t.attempts > 1) ids += (ids.empty() ? "" : ", ") + quote_literal(t.task_id);
  }
  if (ids.empty()) return {};
  return writer_.call([&](Connection& c) {
    std::map<std::string, std::vector<StoredPage>> pages;
    Result r = c.query(
        "SELECT task_id, page_number, records_count, total_records, coalesce(total_pages, 0) "
        "FROM runtime.task_results WHERE superseded_at IS NULL AND task_id IN (" +
        ids + ") ORDER BY task_id, page_number");
    for (size_t i = 0; i < r.row_count(); ++i) {
      StoredPage p;
      p.page = static_cast<int>(r.get_int64(1, i));
      p.records = r.get_int64(2, i);
      if (!r.is_null(3, i)) p.total_records = r.get_int64(3, i);
      p.total_pages = static_cast<int>(r.get_int64(4, i));
      pages[r.get_string(0, i)].push_back(p);
    }
    return pages;
  });
}

void Extraction::start_tasks(std::vector<ClaimedTask> claimed) {
  auto stored = load_pages(claimed);
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
    if (it != stored.end() && !it->second.empty()) {
      // Resume: the pages that agree with page 1's total (or the first page's) are kept.
      const StoredPage& ref = it->second.front();
      t.total = ref.total_records;
      t.total_pages = ref.total_pages;
      bool inconsistent = false;
      for (const StoredPage& p : it->second) {
        if (p.total_records == t.total) {
          t.done.insert(p.page);
        } else {
          inconsistent = true;
        }
      }
      if (inconsistent) {
        const std::string task_id = id;
        const std::optional<std::int64_t> total = t.total;
        writer_.enqueue([b = pages_, task_id, total](Connection& conn) {
          b->flush(conn);
          conn.prepare(
                  "UPDATE runtime.task_results SET superseded_at = $1::TIMESTAMP WHERE task_id "
                  "= $2 AND superseded_at IS NULL AND total_records IS DISTINCT FROM $3")
              .bind(1, utc_timestamp_now())
              .bind(2, task_id)
              .bind(3, total)
              .execute();
        });
      }
    }
    if (config_.find(t.claim.endpoint) == nullptr) {
      finish(t, TaskEnd::kFailed,
             "endpoint '" + t.claim.endpoint + "' is not in the endpoints config; replan");
      continue;
    }
    pump(t);
  }
  changed_.notify_all();
}

void Extraction::start_processors() {
  const unsigned hw = std::max(2u, std::thread::hardware_concurrency());
  const unsigned n = std::min(4u, hw - 1);
  for (unsigned i = 0; i < n; ++i) {
    processors_.emplace_back([this] {
      while (true) {
        std::unique_lock lock(queue_mutex_);
        queue_cv_.wait(lock, [&] { return queue_closed_ || !queue_.empty(); });
        if (queue_.empty()) return;
        PageOutcome o = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        try {
          process(o);
        } catch (const std::exception& e) {
          log_error("page processing failed", {{"url", o.url}, {"error", e.what()}});
        }
      }
    });
  }
}

void Extraction::stop_processors() {
  {
    std::lock_guard lock(queue_mutex_);
    queue_closed_ = true;
  }
  queue_cv_.notify_all();
  for (auto& t : processors_) t.join();
  processors_.clear();
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
  }
  if (engine_) {
    const FetchCounters c = engine_->counters();
    s.in_flight = c.in_flight;
    s.retries = c.retries;
    s.open_circuits = c.open_circuits;
  }
  s.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return s;
}

// ---------------------------------------------------------------------------------------------

void Extraction::on_outcome(PageOutcome outcome) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::move(outcome));
  }
  queue_cv_.notify_one();
}

void Extraction::process(PageOutcome& o) {
  PreparedPayload payload;
  if (o.status == FetchStatus::kSuccess) {
    payload = prepare_payload(o.body, options_.raw);  // off the writer thread
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
  pump(t);
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
  writer_.enqueue([v = *v, url](Connection& c) {
    c.prepare(
         "INSERT INTO meta.schema_versions (endpoint, fingerprint, structure, first_seen_at, "
         "first_request_id, changes) VALUES ($1, $2, $3, $4::TIMESTAMP, $5, $6) "
         "ON CONFLICT DO NOTHING")
        .bind(1, v.endpoint)
        .bind(2, v.fingerprint)
        .bind(3, v.structure)
        .bind(4, utc_timestamp_now())
        .bind(5, url)
        .bind(6, v.baseline ? std::optional<std::string>() : std::optional<std::string>(v.changes))
        .execute();
  });
}

// ---- the task state machine -----------------------------------------------------------------

bool Extraction::submit(TaskState& t, int page) {
  if (stopping_ || !engine_) return false;
  const std::string url = plan::page_url(config_, t.claim.endpoint, t.claim.params, page);
  const std::uint64_t tag = next_tag_++;
  jobs_[tag] = Job{t.claim.task_id, page, t.generation};
  t.in_flight[page] = t.generation;
  if (!engine_->submit(PageRequest{t.claim.endpoint, url, tag, {}})) {
    jobs_.erase(tag);
    t.in_flight.erase(page);
    return false;
  }
  return true;
}

// Asks for what the task still lacks; ends it when nothing more can happen.
void Extraction::pump(TaskState& t) {
  if (t.finished) return;
  if (!t.gave_up && !t.interrupted) {
    try {
      if (!t.total) {
        if (!t.in_flight.count(1) && !t.failed.count(1)) submit(t, 1);
      } else {
        const int last = std::max(1, t.total_pages);
        for (int p = 1; p <= last; ++p) {
          if (t.done.count(p) || t.in_flight.count(p) || t.failed.count(p)) continue;
          if (!submit(t, p)) break;
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
  if (complete) return finish(t, TaskEnd::kDone, "");
  if (t.gave_up) return finish(t, TaskEnd::kPartial, t.give_up_reason);
  if (!t.failed.empty()) {
    const auto& first = *t.failed.begin();
    const std::string detail =
        "page " + std::to_string(first.first) + ": " + first.second +
        (t.failed.size() > 1 ? " (and " + std::to_string(t.failed.size() - 1) + " more pages)"
                             : "");
    return finish(t, t.done.empty() ? TaskEnd::kFailed : TaskEnd::kPartial, detail);
  }
  finish(t, TaskEnd::kReleased, t.interrupted || stopping_ ? "interrupted" : "not finished");
}

PageRecord Extraction::record_for(const TaskState& t, const PageOutcome& o, int page) {
  PageRecord r;
  r.task_id = t.claim.task_id;
  r.endpoint = t.claim.endpoint;
  r.url = o.url;
  r.params = t.claim.params;
  r.etag = o.etag;
  r.collected_at = utc_timestamp_now();
  r.run_id = result_.run_id;
  r.page = page;
  r.http_status = static_cast<int>(o.http_status);
  return r;
}

void Extraction::accept(TaskState& t, const PageOutcome& o, int page, PreparedPayload payload,
                        std::int64_t records, std::optional<std::int64_t> total_records,
                        std::optional<std::int64_t> total_pages) {
  PageRecord r = record_for(t, o, page);
  r.has_body = !payload.sha256.empty();
  EndpointTotals& totals = result_.endpoints[t.claim.endpoint];
  totals.pages += 1;
  totals.records += records;
  totals.bytes += payload.raw_size;
  totals.bytes_compressed += payload.compressed.size();
  r.payload = std::move(payload);
  r.records = records;
  r.total_records = total_records;
  r.total_pages = total_pages;
  t.done.insert(page);
  writer_.enqueue([b = pages_, r = std::make_shared<const PageRecord>(std::move(r))](Connection&) {
    b->add(r);
  });
}

void Extraction::keep_superseded(TaskState& t, const PageOutcome& o, int page,
                                 PreparedPayload payload, bool has_body, bool result_row) {
  PageRecord r = record_for(t, o, page);
  r.has_body = has_body;
  r.payload = std::move(payload);
  r.result_row = result_row;
  r.superseded = true;
  if (o.envelope) {
    r.records = static_cast<std::int64_t>(o.envelope->record_count);
    r.total_records = o.envelope->total_registros;
    r.total_pages = o.envelope->total_paginas;
  }
  writer_.enqueue([b = pages_, r = std::make_shared<const PageRecord>(std::move(r))](Connection&) {
    b->add(r);
  });
}

void Extraction::shift(TaskState& t, int page, std::optional<std::int64_t> before,
                       std::optional<std::int64_t> after) {
  ++t.shifts;
  ++t.generation;
  t.done.clear();
  ++result_.endpoints[t.claim.endpoint].shifts;
  log_info("data shift: totalRegistros moved while paging; refetching the task",
           {{"endpoint", t.claim.endpoint},
            {"task", t.claim.task_id},
            {"page", std::to_string(page)},
            {"before", before ? std::to_string(*before) : "?"},
            {"after", after ? std::to_string(*after) : "empty"}});
  writer_.enqueue([b = pages_, run_id = result_.run_id, task_id = t.claim.task_id,
                   endpoint = t.claim.endpoint, page, before, after](Connection& c) {
    b->flush(c);  // the pages accepted so far must be in the table to be superseded
    const std::string now = utc_timestamp_now();
    c.prepare("INSERT INTO meta.data_shifts VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMP)")
        .bind(1, run_id)
        .bind(2, task_id)
        .bind(3, endpoint)
        .bind(4, page)
        .bind(5, before)
        .bind(6, after)
        .bind(7, now)
        .execute();
    c.prepare(
         "UPDATE runtime.task_results SET superseded_at = $1::TIMESTAMP WHERE task_id = $2 AND "
         "superseded_at IS NULL")
        .bind(1, now)
        .bind(2, task_id)
        .execute();
  });
  if (t.shifts > options_.max_shift_rounds) {
    t.gave_up = true;
    t.give_up_reason = "totalRegistros kept changing (" + std::to_string(t.shifts) +
                       " shifts); run retry-failed later";
  }
}

void Extraction::on_success(TaskState& t, const Job& job, PageOutcome& o, PreparedPayload payload) {
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

void Extraction::on_empty(TaskState& t, const Job& job, PageOutcome& o) {
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

void Extraction::on_failure(TaskState& t, const Job& job, PageOutcome& o) {
  const std::string message = failure_message(o);
  t.failed[job.page] = message;
  ++result_.endpoints[t.claim.endpoint].failures;
  const std::string error_class = o.status == FetchStatus::kFailed ? "permanent" : "exhausted";
  log_warn("page failed", {{"endpoint", t.claim.endpoint},
                           {"url", o.url},
                           {"class", error_class},
                           {"attempts", std::to_string(o.attempts)},
                           {"error", message}});
  writer_.enqueue([task_id = t.claim.task_id, endpoint = t.claim.endpoint, url = o.url,
                   page = job.page, http = o.http_status, error_class, message,
                   attempts = o.attempts](Connection& c) {
    c.prepare(
         "INSERT INTO meta.failed_requests (request_id, task_id, endpoint, url, page, "
         "http_status, error_class, error_message, attempts, failed_at) VALUES ($1, $2, $3, $4, "
         "$5, $6, $7, $8, $9, $10::TIMESTAMP)")
        .bind(1, random_id())
        .bind(2, task_id)
        .bind(3, endpoint)
        .bind(4, url)
        .bind(5, page)
        .bind(6, http ? std::optional<std::int64_t>(http) : std::nullopt)
        .bind(7, error_class)
        .bind(8, message)
        .bind(9, attempts)
        .bind(10, utc_timestamp_now())
        .execute();
  });
}

void Extraction::finish(TaskState& t, TaskEnd end, const std::string& detail) {
  t.finished = true;
  EndpointTotals& totals = result_.endpoints[t.claim.endpoint];
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
    // Failures of pages now stored are resolved.
    writer_.enqueue([b = pages_, task_id = t.claim.task_id](Connection& c) {
      b->flush(c);
      c.prepare(
           "UPDATE meta.failed_requests SET resolved_at = $1::TIMESTAMP WHERE task_id = $2 AND "
           "resolved_at IS NULL AND (page IS NULL OR page IN (SELECT page_number FROM "
           "runtime.task_results WHERE task_id = $2 AND superseded_at IS NULL))")
          .bind(1, utc_timestamp_now())
          .bind(2, task_id)
          .execute();
    });
  }
  claims_->finish(t.claim, end, detail, result_.run_id);
  if (end != TaskEnd::kReleased) ++finished_;
  --active_;
  --active_by_endpoint_[t.claim.endpoint];
  const std::string task_id = t.claim.task_id;
  tasks_.erase(task_id);  // t dangles from here on
  changed_.notify_all();
}

}  // namespace

ExtractResult run_extract(Connection& conn, const plan::EndpointsConfig& config,
                          const ExtractOptions& options) {
  // Load libcurl before anything is claimed or recorded, so a missing library fails cleanly.
  ensure_curl_global_init();
  Extraction extraction(conn, config, options);
  return extraction.run();
}

std::string describe_extract_result(const ExtractResult& r) {
  std::string out;
  char buf[320];
  std::snprintf(buf, sizeof buf, "%-30s %7s %6s %7s %8s %7s %9s %9s %9s %8s %6s %5s\n", "endpoint",
                "done", "failed", "partial", "pending", "pages", "records", "MB raw", "MB stored",
                "failures", "shifts", "drift");
  out += buf;
  auto row = [&](const std::string& name, const EndpointTotals& e) {
    std::snprintf(buf, sizeof buf,
                  "%-30s %7lld %6lld %7lld %8lld %7lld %9lld %9.2f %9.2f %8lld %6lld %5lld\n",
                  name.c_str(), static_cast<long long>(e.tasks_done),
                  static_cast<long long>(e.tasks_failed), static_cast<long long>(e.tasks_partial),
                  static_cast<long long>(e.tasks_released), static_cast<long long>(e.pages),
                  static_cast<long long>(e.records), e.bytes / 1048576.0,
                  e.bytes_compressed / 1048576.0, static_cast<long long>(e.failures),
                  static_cast<long long>(e.shifts), static_cast<long long>(e.drift));
    out += buf;
  };
  for (const auto& [name, e] : r.endpoints) row(name, e);
  const EndpointTotals t = r.total();
  row("total", t);
  std::snprintf(buf, sizeof buf, "%.1fs, %.0f pages/s, %llu retries, run %s\n", r.seconds,
                r.seconds > 0 ? t.pages / r.seconds : 0.0,
                static_cast<unsigned long long>(r.fetch.retries), r.run_id.c_str());
  out += buf;
  if (!r.open_circuits.empty()) {
    std::string names;
    for (const auto& n : r.open_circuits) names += (names.empty() ? "" : ", ") + n;
    out += "circuits not closed at the end: " + names + "\n";
  }
  if (t.drift > 0) {
    out +=
        "records changed shape (drift): see "
        "`baliza query \"select * from meta.schema_versions order by first_seen_at\"`; the "
        "staging models quarantine what they can no longer read\n";
  }
  if (r.writer_failures > 0) {
    out += std::to_string(r.writer_failures) + " records could not be stored (see the log)\n";
  }
  if (r.interrupted)
    out += "interrupted: unfinished tasks were released; run the command again to resume\n";
  return out;
}

}  // namespace baliza::extract
