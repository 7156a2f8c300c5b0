#include "extract/fetch_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>

#include "unit/extract/loopback_server.h"

using namespace std::chrono_literals;

namespace baliza::extract {
namespace {

using testing::DroppingServer;
using testing::eventually;
using testing::Gate;
using testing::InFlightGauge;
using testing::LoopbackServer;

std::string page_json(int page, int total_pages) {
  return "{\"data\":[{\"id\":" + std::to_string(page) +
         "}],\"totalRegistros\":" + std::to_string(total_pages) +
         ",\"totalPaginas\":" + std::to_string(total_pages) +
         ",\"numeroPagina\":" + std::to_string(page) +
         ",\"paginasRestantes\":" + std::to_string(total_pages - page) + ",\"empty\":false}";
}

// Fast retries, a fixed seed, and a breaker that stays out of the way unless a test wants it.
FetchEngineOptions fast_options() {
  FetchEngineOptions o;
  o.http.max_in_flight = 2;
  o.http.total_timeout = 5s;
  o.retry.max_attempts = 4;
  o.retry.base = 1ms;
  o.retry.cap = 5ms;
  o.retry_seed = 1;
  o.circuit.consecutive_failures = 1000;
  o.circuit.window = 0;
  return o;
}

// Collects outcomes by tag.
class Collector {
 public:
  FetchEngine::Sink sink() {
    return [this](PageOutcome o) {
      std::lock_guard lock(mutex_);
      outcomes_[o.tag] = std::move(o);
    };
  }
  std::map<std::uint64_t, PageOutcome> all() {
    std::lock_guard lock(mutex_);
    return outcomes_;
  }
  PageOutcome get(std::uint64_t tag) { return all().at(tag); }
  std::size_t count(FetchStatus status, const std::string& endpoint = "") {
    std::size_t n = 0;
    for (const auto& [tag, o] : all()) {
      n += o.status == status && (endpoint.empty() || o.endpoint == endpoint);
    }
    return n;
  }

 private:
  std::mutex mutex_;
  std::map<std::uint64_t, PageOutcome> outcomes_;
};

TEST(FetchEngine, FirstPageFansOutTheRestFromTheSink) {
  LoopbackServer srv;
  srv.server.Get("/contratos", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(page_json(std::stoi(req.get_param_value("pagina")), 5), "application/json");
  });
  srv.start();
  std::mutex mutex;
  std::map<std::uint64_t, PageOutcome> outcomes;
  FetchEngine* self = nullptr;
  FetchEngine engine(fast_options(), [&](PageOutcome o) {
    if (o.tag == 1 && o.envelope) {
      for (int p = 2; p <= *o.envelope->total_paginas; ++p) {
        self->submit({"contratos", srv.url("/contratos?pagina=" + std::to_string(p)),
                      static_cast<std::uint64_t>(p)});
      }
    }
    std::lock_guard lock(mutex);
    outcomes[o.tag] = std::move(o);
  });
  self = &engine;
  ASSERT_TRUE(engine.submit({"contratos", srv.url("/contratos?pagina=1"), 1}));
  engine.wait_idle();
  ASSERT_EQ(outcomes.size(), 5u);
  for (const auto& [tag, o] : outcomes) {
    EXPECT_EQ(o.status, FetchStatus::kSuccess) << o.last_error;
    EXPECT_EQ(o.http_status, 200);
    EXPECT_EQ(o.attempts, 1);
    ASSERT_TRUE(o.envelope);
    EXPECT_EQ(o.envelope->numero_pagina, static_cast<std::int64_t>(tag));
    EXPECT_EQ(o.body, page_json(static_cast<int>(tag), 5));
  }
  const FetchCounters c = engine.counters();
  EXPECT_EQ(c.done, 5u);
  EXPECT_EQ(c.succeeded, 5u);
  EXPECT_EQ(c.in_flight, 0u);
  EXPECT_GT(c.bytes, 0u);
}

TEST(FetchEngine, ConcurrencyLimitHolds) {
  LoopbackServer srv;
  InFlightGauge gauge;
  srv.server.Get("/p", [&](const httplib::Request&, httplib::Response& res) {
    InFlightGauge::Track track(gauge);
    std::this_thread::sleep_for(20ms);
    res.set_content(page_json(1, 1), "application/json");
  });
  srv.start();
  Collector out;
  FetchEngine engine(fast_options(), out.sink());
  for (std::uint64_t i = 0; i < 12; ++i) engine.submit({"e", srv.url("/p"), i});
  engine.wait_idle();
  EXPECT_EQ(out.count(FetchStatus::kSuccess), 12u);
  EXPECT_EQ(gauge.max(), 2);
}

TEST(FetchEngine, RateLimitSpacesRequests) {
  LoopbackServer srv;
  std::mutex mutex;
  std::vector<std::chrono::steady_clock::time_point> seen;
  srv.server.Get("/p", [&](const httplib::Request&, httplib::Response& res) {
    {
      std::lock_guard lock(mutex);
      seen.push_back(std::chrono::steady_clock::now());
    }
    res.set_content(page_json(1, 1), "application/json");
  });
  srv.start();
  auto options = fast_options();
  options.rate = {20, 1};  // one request per 50 ms
  Collector out;
  FetchEngine engine(options, out.sink());
  for (std::uint64_t i = 0; i < 6; ++i) engine.submit({"e", srv.url("/p"), i});
  engine.wait_idle();
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_GE(seen.back() - seen.front(), 200ms);  // 5 intervals of 50 ms; lower bound only
}

TEST(FetchEngine, TooManyRequestsIsRetriedAfterRetryAfter) {
  LoopbackServer srv;
  std::mutex mutex;
  std::vector<std::chrono::steady_clock::time_point> seen;
  srv.server.Get("/p", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mutex);
    seen.push_back(std::chrono::steady_clock::now());
    if (seen.size() == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      return;
    }
    res.set_content(page_json(1, 1), "application/json");
  });
  srv.start();
  Collector out;
  FetchEngine engine(fast_options(), out.sink());
  engine.submit({"e", srv.url("/p"), 7});
  engine.wait_idle();
  const PageOutcome o = out.get(7);
  EXPECT_EQ(o.status, FetchStatus::kSuccess);
  EXPECT_EQ(o.attempts, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(seen[1] - seen[0], 950ms);  // the 1 s Retry-After beat the 5 ms backoff cap
  EXPECT_EQ(engine.counters().retries, 1u);
}

TEST(FetchEngine, ServerErrorsAreRetriedUntilSuccessOrExhaustion) {
  LoopbackServer srv;
  std::atomic<int> flaky_hits{0}, down_hits{0};
  srv.server.Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
    if (++flaky_hits <= 2) {
      res.status = 503;
      return;
    }
    res.set_content(page_json(1, 1), "application/json");
  });
  srv.server.Get("/down", [&](const httplib::Request&, httplib::Response& res) {
    ++down_hits;
    res.status = 502;
  });
  srv.start();
  Collector out;
  FetchEngine engine(fast_options(), out.sink());
  engine.submit({"e", srv.url("/flaky"), 1});
  engine.submit({"e", srv.url("/down"), 2});
  engine.wait_idle();
  EXPECT_EQ(out.get(1).status, FetchStatus::kSuccess);
  EXPECT_EQ(out.get(1).attempts, 3);
  EXPECT_EQ(out.get(2).status, FetchStatus::kExhausted);
  EXPECT_EQ(out.get(2).attempts, 4);
  EXPECT_EQ(out.get(2).http_status, 502);
  EXPECT_EQ(out.get(2).last_error, "HTTP 502");
  EXPECT_EQ(down_hits, 4);
}

TEST(FetchEngine, ClientErrorsAreNotRetried) {
  LoopbackServer srv;
  std::atomic<int> hits{0};
  srv.server.Get("/bad", [&](const httplib::Request& req, httplib::Response& res) {
    ++hits;
    res.status = std::stoi(req.get_param_value("status"));
    res.set_content(R"({"message": "Tamanho de página inválido"})", "application/json");
  });
  srv.start();
  Collector out;
  FetchEngine engine(fast_options(), out.sink());
  engine.submit({"e", srv.url("/bad?status=400"), 1});
  engine.submit({"e", srv.url("/bad?status=422"), 2});
  engine.wait_idle();
  for (std::uint64_t tag : {1u, 2u}) {
    EXPECT_EQ(out.get(tag).status, FetchStatus::kFailed);
    EXPECT_EQ(out.get(tag).attempts, 1);
    EXPECT_NE(out.get(tag).body.find("Tamanho"), std::string::npos);  // kept for the record
  }
  EXPECT_EQ(hits, 2);
}

TEST(FetchEngine, EmptyAnswersAndEndpointSpecificEmptyStatuses) {
  LoopbackServer srv;
  srv.server.Get("/none",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  srv.server.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"message": "Nenhum instrumento de Cobrança encontrado."})",
                    "application/json");
  });
  srv.start();
  auto options = fast_options();
  options.endpoints["instrumentoscobranca"].empty_statuses = {404};
  Collector out;
  FetchEngine engine(options, out.sink());
  engine.submit({"contratos", srv.url("/none"), 1});
  engine.submit({"instrumentoscobranca", srv.url("/missing"), 2});
  engine.submit({"contratos", srv.url("/missing"), 3});
  engine.wait_idle();
  EXPECT_EQ(out.get(1).status, FetchStatus::kEmpty);
  EXPECT_EQ(out.get(2).status, FetchStatus::kEmpty);
  EXPECT_EQ(out.get(3).status, FetchStatus::kFailed);
  EXPECT_EQ(engine.counters().empty, 2u);
}

TEST(FetchEngine, DroppedConnectionsAreRetried) {
  const std::string body = page_json(1, 1);
  DroppingServer srv(2, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  Collector out;
  FetchEngine engine(fast_options(), out.sink());
  engine.submit({"e", srv.url("/p"), 1});
  engine.wait_idle();
  const PageOutcome o = out.get(1);
  EXPECT_EQ(o.status, FetchStatus::kSuccess) << o.last_error;
  EXPECT_EQ(o.attempts, 3);
  EXPECT_EQ(o.body, body);
  EXPECT_EQ(srv.connections(), 3);
}

TEST(FetchEngine, TruncatedJsonIsRetried) {
  LoopbackServer srv;
  std::atomic<int> hits{0};
  const std::string body = page_json(1, 1);
  srv.server.Get("/p", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(++hits == 1 ? body.substr(0, body.size() / 2) : body, "application/json");
  });
  srv.start();
  Collector out;
  FetchEngine engine(fast_options(), out.sink());
  engine.submit({"e", srv.url("/p"), 1});
  engine.wait_idle();
  EXPECT_EQ(out.get(1).status, FetchStatus::kSuccess);
  EXPECT_EQ(out.get(1).attempts, 2);
  EXPECT_EQ(hits, 2);
}

TEST(FetchEngine, OpenCircuitParksOneEndpointWhileOthersFlow) {
  LoopbackServer srv;
  std::atomic<int> bad_hits{0};
  srv.server.Get("/bad", [&](const httplib::Request&, httplib::Response& res) {
    ++bad_hits;
    res.status = 503;
  });
  srv.server.Get("/good", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(page_json(1, 1), "application/json");
  });
  srv.start();
  auto options = fast_options();
  // All five first attempts on the wire at once: the circuit counts a page's first attempt
  // (retries of a failing page are that page's problem), so none may be preceded by a retry.
  options.http.max_in_flight = 5;
  options.retry.max_attempts = 50;
  options.circuit.consecutive_failures = 3;
  options.circuit.open_for = 60s;
  Collector out;
  FetchEngine engine(options, out.sink());
  for (std::uint64_t i = 0; i < 5; ++i) engine.submit({"bad", srv.url("/bad"), 100 + i});
  ASSERT_TRUE(eventually([&] { return engine.circuits().state("bad") == CircuitState::kOpen; }));
  for (std::uint64_t i = 0; i < 10; ++i) engine.submit({"good", srv.url("/good"), i});
  ASSERT_TRUE(eventually([&] { return out.count(FetchStatus::kSuccess, "good") == 10; }));
  EXPECT_EQ(engine.counters().open_circuits, 1);
  EXPECT_EQ(out.count(FetchStatus::kSuccess, "bad") + out.count(FetchStatus::kExhausted, "bad"),
            0u);
  EXPECT_LE(bad_hits, 3 + options.http.max_in_flight);  // parked, not hammered
  engine.cancel(CancelMode::kFinishInFlight);
  engine.wait_idle();
  EXPECT_EQ(out.count(FetchStatus::kAbandoned, "bad"), 5u);
  EXPECT_EQ(out.get(100).last_error, "HTTP 503");  // the reason it never succeeded
}

TEST(FetchEngine, HalfOpenProbeClosesTheCircuitAgain) {
  LoopbackServer srv;
  // The endpoint as a whole fails (503; a 500 is one page's problem) until the circuit opens,
  // then answers: whatever order attempts and retries take (a slow sanitizer build reorders
  // them), the first attempts fail together and the half-open probe succeeds.
  std::atomic<bool> opened{false};
  srv.server.Get("/p", [&](const httplib::Request&, httplib::Response& res) {
    if (!opened) {
      res.status = 503;
      return;
    }
    res.set_content(page_json(1, 1), "application/json");
  });
  srv.start();
  auto options = fast_options();
  options.http.max_in_flight = 4;
  options.retry.max_attempts = 10;
  options.circuit.consecutive_failures = 3;
  options.circuit.open_for = 100ms;
  Collector out;
  FetchEngine engine(options, out.sink());
  std::mutex mutex;
  std::vector<std::string> transitions;
  engine.circuits().set_listener([&](const std::string&, CircuitState from, CircuitState to) {
    std::lock_guard lock(mutex);
    transitions.push_back(std::string(circuit_state_name(from)) + "->" + circuit_state_name(to));
    if (to == CircuitState::kOpen) opened = true;
  });
  for (std::uint64_t i = 0; i < 4; ++i) engine.submit({"e", srv.url("/p"), i});
  engine.wait_idle();
  EXPECT_EQ(out.count(FetchStatus::kSuccess), 4u);
  EXPECT_EQ(transitions,
            (std::vector<std::string>{"closed->open", "open->half-open", "half-open->closed"}));
  EXPECT_EQ(engine.counters().open_circuits, 0);
}

TEST(FetchEngine, CancelAbandonsEverythingUnfinished) {
  LoopbackServer srv;
  Gate gate;
  InFlightGauge gauge;
  srv.server.Get("/hang", [&](const httplib::Request&, httplib::Response& res) {
    InFlightGauge::Track track(gauge);
    gate.wait();
    res.set_content(page_json(1, 1), "application/json");
  });
  srv.start();
  Collector out;
  FetchEngine engine(fast_options(), out.sink());
  for (std::uint64_t i = 0; i < 10; ++i) engine.submit({"e", srv.url("/hang"), i});
  ASSERT_TRUE(eventually([&] { return gauge.current() == 2; }));
  EXPECT_EQ(engine.counters().in_flight, 2u);
  engine.cancel(CancelMode::kAbandonInFlight);
  engine.wait_idle();
  gate.open();
  EXPECT_EQ(out.count(FetchStatus::kAbandoned), 10u);
  EXPECT_EQ(engine.counters().abandoned, 10u);
  EXPECT_FALSE(engine.submit({"e", srv.url("/hang"), 99}));
}

TEST(FetchEngine, CancelCanLetRequestsOnTheWireFinish) {
  LoopbackServer srv;
  Gate gate;
  InFlightGauge gauge;
  srv.server.Get("/hang", [&](const httplib::Request&, httplib::Response& res) {
    InFlightGauge::Track track(gauge);
    gate.wait();
    res.set_content(page_json(1, 1), "application/json");
  });
  srv.start();
  Collector out;
  FetchEngine engine(fast_options(), out.sink());
  for (std::uint64_t i = 0; i < 10; ++i) engine.submit({"e", srv.url("/hang"), i});
  ASSERT_TRUE(eventually([&] { return gauge.current() == 2; }));
  engine.cancel(CancelMode::kFinishInFlight);
  ASSERT_TRUE(eventually([&] { return out.count(FetchStatus::kAbandoned) == 8; }));
  gate.open();
  engine.wait_idle();
  EXPECT_EQ(out.count(FetchStatus::kSuccess), 2u);
  EXPECT_EQ(out.count(FetchStatus::kAbandoned), 8u);
}

TEST(FetchEngine, SinkExceptionCancelsAndIsRethrown) {
  LoopbackServer srv;
  srv.server.Get("/p", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(page_json(1, 1), "application/json");
  });
  srv.start();
  std::atomic<int> calls{0};
  FetchEngine engine(fast_options(), [&](PageOutcome) {
    if (++calls == 1) throw std::runtime_error("disk full");
  });
  for (std::uint64_t i = 0; i < 5; ++i) engine.submit({"e", srv.url("/p"), i});
  EXPECT_THROW(
      {
        try {
          engine.wait_idle();
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "disk full");
          throw;
        }
      },
      std::runtime_error);
  EXPECT_EQ(calls, 5);  // every request still got its outcome
  EXPECT_FALSE(engine.submit({"e", srv.url("/p"), 9}));
}

}  // namespace
}  // namespace baliza::extract
