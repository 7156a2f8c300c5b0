#include "extract/fetch_engine.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>

#include "core/log.h"
#include "extract/throttle_page.h"

namespace baliza::extract {

const char* fetch_status_name(FetchStatus s) {
  switch (s) {
    case FetchStatus::kSuccess:
      return "success";
    case FetchStatus::kEmpty:
      return "empty";
    case FetchStatus::kFailed:
      return "failed";
    case FetchStatus::kExhausted:
      return "exhausted";
    case FetchStatus::kAbandoned:
      return "abandoned";
  }
  return "unknown";
}

namespace {

// Longest the scheduler sleeps without news, so an injected clock that moves on its own
// (tests) is still noticed.
constexpr Duration kMaxSleep = std::chrono::milliseconds(200);

struct Item {
  PageRequest request;
  TimePoint accepted;
  TimePoint sent_at;  // of the attempt on the wire
  int outage = 0;     // attempts that failed while the endpoint's circuit was not closed
  PageOutcome last;   // filled attempt by attempt
};

struct Waiting {
  TimePoint due;
  std::uint64_t seq;  // FIFO among equal due times
  std::shared_ptr<Item> item;
  bool operator>(const Waiting& o) const { return due != o.due ? due > o.due : seq > o.seq; }
};

struct Completion {
  std::uint64_t id;
  HttpResult result;
};

PacingOptions pacing_of(const FetchEngineOptions& o) {
  if (o.pacing.start > 0) return o.pacing;
  return PacingOptions{o.rate.requests_per_second, 0, 0, o.rate.burst};
}

std::uint64_t pick_seed(const std::optional<std::uint64_t>& seed) {
  if (seed) return *seed;
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) ^ rd();
}

}  // namespace

struct FetchEngine::Impl {
  FetchEngineOptions options;
  Sink sink;
  const Clock& clock;
  CircuitBreakers breakers;
  AdaptivePacer pacer;
  Backoff backoff;

  // Shared with other threads, under `mutex`.
  mutable std::mutex mutex;
  std::condition_variable wake;  // the scheduler waits on it
  std::condition_variable idle;  // wait_idle() waits on it
  std::deque<std::shared_ptr<Item>> inbox;
  std::deque<Completion> completions;
  bool accepting = true;
  bool shutting_down = false;
  std::optional<CancelMode> cancel_mode;
  std::uint64_t outstanding = 0;  // accepted, outcome not yet delivered
  std::exception_ptr sink_error;
  std::optional<std::string> environment_error;  // see note_reachability()

  // Owned by the scheduler thread.
  std::map<std::string, std::deque<std::shared_ptr<Item>>> ready;  // per endpoint
  std::string last_served;                                         // round-robin cursor
  std::priority_queue<Waiting, std::vector<Waiting>, std::greater<>> backing_off;
  std::unordered_map<std::uint64_t, std::shared_ptr<Item>> on_wire;
  std::uint64_t next_id = 1;
  std::uint64_t next_seq = 0;
  bool cancel_handled = false;
  std::optional<TimePoint> held_until;  // earliest time a held request may go
  struct HostReach {
    bool answered = false;  // some request got an HTTP answer
    int unreachable = 0;    // requests that found no way to it
  };
  std::map<std::string, HostReach> reach;

  struct {
    std::atomic<std::uint64_t> queued{0}, backing_off{0}, in_flight{0}, done{0}, succeeded{0},
        empty{0}, failed{0}, abandoned{0}, retries{0}, throttled{0}, bytes{0};
  } count;

  HttpClient client;  // declared last: destroyed (stopped) first
  std::thread scheduler;

  Impl(FetchEngineOptions o, Sink s)
      : options(std::move(o)),
        sink(std::move(s)),
        clock(options.clock ? *options.clock : SteadyClock::instance()),
        breakers(options.circuit, clock),
        pacer(pacing_of(options), clock),
        backoff(options.retry, pick_seed(options.retry_seed)),
        client(options.http) {
    scheduler = std::thread([this] { run(); });
  }

  const std::vector<long>& empty_statuses(const std::string& endpoint) const {
    static const std::vector<long> none;
    auto it = options.endpoints.find(endpoint);
    return it == options.endpoints.end() ? none : it->second.empty_statuses;
  }

  // ---- the scheduler loop ----

  void run() {
    std::unique_lock lock(mutex);
    while (true) {
      auto new_items = std::move(inbox);
      inbox.clear();
      auto done = std::move(completions);
      completions.clear();
      const std::optional<CancelMode> cancelling = cancel_mode;
      const bool exiting = shutting_down;
      lock.unlock();

      for (auto& item : new_items) enqueue(std::move(item), false);
      for (auto& c : done) on_complete(c.id, std::move(c.result), cancelling.has_value());
      if (cancelling && !cancel_handled) abandon_waiting();
      if (!cancelling) {
        promote_due();
        dispatch();
      }
      const std::optional<TimePoint> next = next_wake();
      publish_gauges();

      lock.lock();
      if (exiting && on_wire.empty() && inbox.empty() && completions.empty()) return;
      if (!inbox.empty() || !completions.empty() || cancel_mode != cancelling ||
          shutting_down != exiting) {
        continue;
      }
      if (next) {
        const Duration sleep = std::clamp(*next - clock.now(), Duration::zero(), kMaxSleep);
        wake.wait_for(lock, sleep);
      } else {
        wake.wait(lock);
      }
    }
  }

  void enqueue(std::shared_ptr<Item> item, bool front) {
    auto& q = ready[item->request.endpoint];
    if (front) {
      q.push_front(std::move(item));
    } else {
      q.push_back(std::move(item));
    }
  }

  void promote_due() {
    const TimePoint now = clock.now();
    while (!backing_off.empty() && backing_off.top().due <= now) {
      enqueue(backing_off.top().item, true);  // a retry goes before its endpoint's new work
      backing_off.pop();
    }
  }

  // Endpoints with queued work, in round-robin order after the last one served.
  std::vector<std::string> endpoints_in_turn() const {
    std::vector<std::string> order;
    for (auto it = ready.upper_bound(last_served); it != ready.end(); ++it)
      order.push_back(it->first);
    for (auto it = ready.begin(); it != ready.end() && it->first <= last_served; ++it) {
      order.push_back(it->first);
    }
    return order;
  }

  void hold_until(TimePoint t) { held_until = held_until ? std::min(*held_until, t) : t; }

  void dispatch() {
    held_until.reset();
    const auto limit = static_cast<std::size_t>(std::max(1, options.http.max_in_flight));
    bool progress = true;
    while (progress && on_wire.size() < limit) {
      progress = false;
      for (const auto& endpoint : endpoints_in_turn()) {
        if (on_wire.size() >= limit) break;
        if (try_send_front(endpoint)) progress = true;
      }
    }
  }

  // Sends the first request of `endpoint` unless its circuit or its host's rate limit holds
  // it; then notes in `held_until` when to look again.
  bool try_send_front(const std::string& endpoint) {
    auto it = ready.find(endpoint);
    if (it == ready.end() || it->second.empty()) return false;
    auto& q = it->second;
    if (!breakers.try_acquire(endpoint)) {
      // Open: look again when it half-opens. Half-open with its probes out: a completion wakes us.
      if (breakers.state(endpoint) == CircuitState::kOpen)
        hold_until(breakers.open_until(endpoint));
      return false;
    }
    const Duration wait = pacer.try_acquire(RateLimiter::host_of(q.front()->request.url));
    if (wait > Duration::zero()) {
      breakers.release(endpoint);
      hold_until(clock.now() + wait);
      return false;
    }
    std::shared_ptr<Item> item = std::move(q.front());
    q.pop_front();
    if (q.empty()) ready.erase(it);
    last_served = endpoint;
    send(std::move(item));
    return true;
  }

  void send(std::shared_ptr<Item> item) {
    const std::uint64_t id = next_id++;
    ++item->last.attempts;
    item->sent_at = clock.now();
    HttpRequest request{item->request.url, item->request.headers, id};
    on_wire.emplace(id, std::move(item));
    client.submit(std::move(request), [this, id](HttpResult r) {
      {
        std::lock_guard guard(mutex);
        completions.push_back({id, std::move(r)});
      }
      wake.notify_one();
    });
  }

  // When the scheduler next has something to do without being told.
  std::optional<TimePoint> next_wake() {
    std::optional<TimePoint> next;
    auto consider = [&](TimePoint t) { next = next ? std::min(*next, t) : t; };
    if (!backing_off.empty()) consider(backing_off.top().due);
    const bool slot_free =
        on_wire.size() < static_cast<std::size_t>(std::max(1, options.http.max_in_flight));
    if (slot_free && !cancel_handled && held_until) consider(*held_until);
    return next;
  }

  // ---- outcomes ----

  void on_complete(std::uint64_t id, HttpResult r, bool cancelling) {
    auto node = on_wire.extract(id);
    if (node.empty()) return;
    std::shared_ptr<Item> item = std::move(node.mapped());
    PageOutcome& o = item->last;
    o.bytes_downloaded += r.bytes_downloaded;
    count.bytes += r.bytes_downloaded;
    o.http_status = r.http_status;
    o.etag = std::move(r.etag);
    o.content_type = std::move(r.content_type);
    if (r.cancelled) {
      breakers.release(item->request.endpoint);
      o.last_error = r.error;
      o.body.clear();
      finish(std::move(item), FetchStatus::kAbandoned);
      return;
    }
    Classification c = judge(*item, r);
    const PaceSignal pace = pace_signal(r, c);
    if (pace == PaceSignal::kThrottlePage) {
      c = {OutcomeClass::kRetryable,
           "throttled: HTTP " + std::to_string(r.http_status) + " with an HTML throttle page"};
    }
    const bool throttled = pace == PaceSignal::kThrottled || pace == PaceSignal::kThrottlePage;
    pacer.on_answer(RateLimiter::host_of(item->request.url), item->sent_at, pace, r.elapsed);
    o.body = std::move(r.body);
    if (throttled) {
      ++o.throttled;
      ++count.throttled;
    }
    note_reachability(r, c);
    if (c.kind == OutcomeClass::kRetryable && !throttled) {
      if (endpoint_level(r)) {
        // A page's first real attempt, or no connection at all (never one page's problem).
        const bool fresh = o.attempts - o.throttled <= 1 || unreachable(r);
        breakers.record_failure(item->request.endpoint, fresh, c.reason);
        // The endpoint as a whole is down (its circuit opened): the outage is waited for, so
        // this attempt does not use up one of the page's.
        if (breakers.state(item->request.endpoint) != CircuitState::kClosed) ++item->outage;
      } else {
        breakers.release(item->request.endpoint);  // this page's problem, not the endpoint's
      }
    } else {
      // The endpoint answered sensibly (a throttle too: it is up, only asking us to slow down).
      breakers.record_success(item->request.endpoint);
    }
    o.last_error = c.kind == OutcomeClass::kSuccess ? "" : c.reason;
    switch (c.kind) {
      case OutcomeClass::kSuccess:
        return finish(std::move(item), FetchStatus::kSuccess);
      case OutcomeClass::kEmpty:
        return finish(std::move(item), FetchStatus::kEmpty);
      case OutcomeClass::kPermanent:
        return finish(std::move(item), FetchStatus::kFailed);
      case OutcomeClass::kRetryable:
        return retry_or_give_up(std::move(item), r, cancelling);
    }
  }

  // Failures that say the endpoint (or the way to it) is down, not just this page: transport
  // errors and the gateway statuses 502/503/504. A 500 or a bad body is about one request.
  static bool endpoint_level(const HttpResult& r) {
    if (r.curl_code != 0) return true;
    return r.http_status == 502 || r.http_status == 503 || r.http_status == 504;
  }

  // No connection at all: the name does not resolve, or nothing accepts the connection.
  static bool unreachable(const HttpResult& r) {
    switch (r.curl_code) {
      case 5:  // CURLE_COULDNT_RESOLVE_PROXY
      case 6:  // CURLE_COULDNT_RESOLVE_HOST
      case 7:  // CURLE_COULDNT_CONNECT
        return true;
      case 28:  // CURLE_OPERATION_TIMEDOUT, when it timed out before connecting
        return r.error.starts_with("Connection timed out") ||
               r.error.starts_with("Resolving timed out") ||
               r.error.starts_with("Failed to connect");
      default:
        return false;
    }
  }

  // A host that never answered and could not be reached kUnreachableAfter times is an
  // environment problem (no network, a wrong base_url): stop everything and say so at once.
  void note_reachability(const HttpResult& r, const Classification& c) {
    const std::string host = RateLimiter::host_of(r.url);
    HostReach& h = reach[host];
    if (r.curl_code == 0 && r.http_status > 0) {
      h.answered = true;
      return;
    }
    if (h.answered || !unreachable(r)) return;
    if (++h.unreachable < FetchEngine::kUnreachableAfter) return;
    const std::string message =
        "cannot reach " + host + ": " + c.reason + "; none of " + std::to_string(h.unreachable) +
        " attempts got an answer. Check the network connection and the API address "
        "(base_url in endpoints.yaml, or --base-url); to try Baliza without a network, run "
        "`baliza demo` (the built-in PNCP simulator)";
    bool first = false;
    {
      std::lock_guard guard(mutex);
      if (!environment_error) {
        environment_error = message;
        accepting = false;
        cancel_mode = CancelMode::kAbandonInFlight;
        first = true;
      }
    }
    if (!first) return;
    log_debug("API unreachable: cancelling the extraction", {{"host", host}});
    client.stop();  // its cancelled completions come back as abandoned
  }

  // What an answer says about the pace of its host.
  static PaceSignal pace_signal(const HttpResult& r, const Classification& c) {
    if (r.curl_code != 0) return PaceSignal::kNeutral;
    if (r.http_status == 429) return PaceSignal::kThrottled;
    if (r.http_status >= 200 && r.http_status < 300 && c.kind == OutcomeClass::kRetryable &&
        is_throttle_page(r.body)) {
      return PaceSignal::kThrottlePage;
    }
    if (r.http_status >= 500 || c.kind == OutcomeClass::kRetryable) return PaceSignal::kNeutral;
    return PaceSignal::kGood;
  }

  // Classifies one attempt, parsing the page when there is one to parse.
  Classification judge(Item& item, const HttpResult& r) {
    AttemptOutcome a{r.curl_code, r.error, r.http_status, r.body.size()};
    const auto& empties = empty_statuses(item.request.endpoint);
    const bool is_page = r.curl_code == 0 && r.http_status >= 200 && r.http_status < 300 &&
                         r.http_status != 204 && !r.body.empty() &&
                         std::find(empties.begin(), empties.end(), r.http_status) == empties.end();
    item.last.envelope.reset();
    if (is_page) {
      const auto policy = options.endpoints.find(item.request.endpoint);
      const bool array_body = policy != options.endpoints.end() && policy->second.array_body;
      EnvelopeParse p =
          item.request.count ? parse_count_body(r.body) : parse_page_envelope(r.body, array_body);
      if (p.ok()) {
        a.body = BodyCheck::kValid;
        item.last.envelope = p.envelope;
      } else {
        a.body = p.error == EnvelopeError::kTruncated ? BodyCheck::kTruncated : BodyCheck::kInvalid;
        a.body_error = p.message;
      }
    }
    Classification c = classify(a, empties);
    if (r.curl_code == 0 && r.http_status >= 300 && r.http_status < 400) {
      c.reason = r.location.empty()
                     ? c.reason + " (a redirect without a usable Location, or past " +
                           std::to_string(HttpClient::kMaxRedirects) + " redirects)"
                     : c.reason + ": redirected to " + r.location +
                           ", another host, port or a downgrade to http: not followed. If the API "
                           "moved, set base_url in endpoints.yaml (or --base-url) to its new "
                           "address";
    }
    return c;
  }

  void retry_or_give_up(std::shared_ptr<Item> item, const HttpResult& r, bool cancelling) {
    if (cancelling) return finish(std::move(item), FetchStatus::kAbandoned);
    // Throttled attempts say nothing about the page: they do not use up its attempts.
    const int counted = item->last.attempts - item->last.throttled - item->outage;
    const bool throttled_out = item->last.throttled > FetchEngine::kMaxThrottledAttempts ||
                               item->outage > FetchEngine::kMaxOutageAttempts;
    if (throttled_out || (counted > 0 && !backoff.can_retry(counted))) {
      return finish(std::move(item), FetchStatus::kExhausted);
    }
    const Duration delay = backoff.delay(item->last.attempts - 1, parse_retry_after(r.retry_after));
    log_debug(
        "retrying page",
        {{"url", item->request.url},
         {"attempt", std::to_string(item->last.attempts)},
         {"error", item->last.last_error},
         {"delay_ms",
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count())}});
    ++count.retries;
    backing_off.push({clock.now() + delay, next_seq++, std::move(item)});
  }

  void abandon_waiting() {
    cancel_handled = true;
    std::vector<std::shared_ptr<Item>> dropped;
    for (auto& [endpoint, q] : ready) {
      for (auto& item : q) dropped.push_back(std::move(item));
    }
    ready.clear();
    while (!backing_off.empty()) {
      dropped.push_back(backing_off.top().item);
      backing_off.pop();
    }
    for (auto& item : dropped) {
      if (item->last.last_error.empty()) item->last.last_error = "cancelled before it was sent";
      item->last.body.clear();
      finish(std::move(item), FetchStatus::kAbandoned);
    }
  }

  void finish(std::shared_ptr<Item> item, FetchStatus status) {
    PageOutcome o = std::move(item->last);
    o.status = status;
    o.tag = item->request.tag;
    o.endpoint = item->request.endpoint;
    o.url = item->request.url;
    o.count = item->request.count;
    o.elapsed = clock.now() - item->accepted;
    if (status != FetchStatus::kSuccess) o.envelope.reset();
    publish_gauges();  // so a caller woken by this outcome reads current gauges
    tally(status);
    deliver(std::move(o));
  }

  void tally(FetchStatus status) {
    ++count.done;
    switch (status) {
      case FetchStatus::kSuccess:
        ++count.succeeded;
        break;
      case FetchStatus::kEmpty:
        ++count.empty;
        break;
      case FetchStatus::kFailed:
      case FetchStatus::kExhausted:
        ++count.failed;
        break;
      case FetchStatus::kAbandoned:
        ++count.abandoned;
        break;
    }
  }

  void deliver(PageOutcome o) {
    bool stop_client = false;
    try {
      sink(std::move(o));
    } catch (...) {
      std::lock_guard guard(mutex);
      if (!sink_error) {
        sink_error = std::current_exception();
        accepting = false;
        cancel_mode = CancelMode::kAbandonInFlight;
        stop_client = true;
      }
    }
    if (stop_client) client.stop();  // its cancelled completions come back as abandoned
    std::lock_guard guard(mutex);
    if (--outstanding == 0) idle.notify_all();
  }

  void publish_gauges() {
    std::uint64_t queued = 0;
    for (const auto& [endpoint, q] : ready) queued += q.size();
    count.queued = queued;
    count.backing_off = backing_off.size();
    count.in_flight = on_wire.size();
  }
};

FetchEngine::FetchEngine(FetchEngineOptions options, Sink sink)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(sink))) {}

FetchEngine::~FetchEngine() {
  cancel(CancelMode::kAbandonInFlight);
  {
    std::lock_guard lock(impl_->mutex);
    impl_->shutting_down = true;
  }
  impl_->wake.notify_one();
  if (impl_->scheduler.joinable()) impl_->scheduler.join();
}

bool FetchEngine::submit(PageRequest request) {
  auto item = std::make_shared<Item>();
  item->accepted = impl_->clock.now();
  item->request = std::move(request);
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->accepting) return false;
    impl_->inbox.push_back(std::move(item));
    ++impl_->outstanding;
  }
  impl_->wake.notify_one();
  return true;
}

void FetchEngine::wait_idle() {
  std::unique_lock lock(impl_->mutex);
  impl_->idle.wait(lock, [this] { return impl_->outstanding == 0; });
  if (impl_->sink_error) std::rethrow_exception(impl_->sink_error);
}

void FetchEngine::cancel(CancelMode mode) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->accepting = false;
    if (!impl_->cancel_mode || mode == CancelMode::kAbandonInFlight) impl_->cancel_mode = mode;
  }
  impl_->wake.notify_one();
  if (mode == CancelMode::kAbandonInFlight) impl_->client.stop();
}

FetchCounters FetchEngine::counters() const {
  const auto& c = impl_->count;
  FetchCounters out;
  out.queued = c.queued;
  out.backing_off = c.backing_off;
  out.in_flight = c.in_flight;
  out.done = c.done;
  out.succeeded = c.succeeded;
  out.empty = c.empty;
  out.failed = c.failed;
  out.abandoned = c.abandoned;
  out.retries = c.retries;
  out.throttled = c.throttled;
  out.bytes = c.bytes;
  out.open_circuits = impl_->breakers.open_count();
  return out;
}

std::optional<std::string> FetchEngine::environment_error() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->environment_error;
}

std::vector<HostPacing> FetchEngine::pacing() const {
  return impl_->pacer.hosts();
}

CircuitBreakers& FetchEngine::circuits() {
  return impl_->breakers;
}

}  // namespace baliza::extract
