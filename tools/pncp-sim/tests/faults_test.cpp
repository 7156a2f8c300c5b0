// Each injected fault is observable by a real HTTP client, deterministically.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "sim_test_support.h"

using nlohmann::json;
using sim_test::Running;
using sim_test::url;

namespace {

pncp_sim::Options with_fault(const std::string& spec) {
  auto o = sim_test::test_options();
  o.faults.push_back(pncp_sim::parse_fault(spec));
  return o;
}

const std::string kQuery =
    url("/v1/contratos", "dataInicial=20240110&dataFinal=20240110&pagina=1&tamanhoPagina=50");

// Sends one raw request and returns every byte the server sent before closing.
std::string raw_exchange(int port, const std::string& target, int* recv_error = nullptr) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  if (recv_error) *recv_error = n < 0 ? errno : 0;
  close(fd);
  return out;
}

}  // namespace

TEST(Faults, MatchLimitsAFaultToSomeRequests) {
  Running r(with_fault("5xx:status=500,match=dataInicial=20240111|dataInicial=20240113"));
  auto c = r.client();
  auto day = [](const std::string& d) {
    return url("/v1/contratos", "dataInicial=" + d + "&dataFinal=" + d + "&pagina=1");
  };
  EXPECT_EQ(c->Get(day("20240111"))->status, 500);
  EXPECT_EQ(c->Get(day("20240113"))->status, 500);
  EXPECT_NE(c->Get(day("20240112"))->status, 500);
  EXPECT_NE(c->Get(day("20240114"))->status, 500);
  EXPECT_EQ(r.sim.stats().responses_per_status.at(500), 2u);
}

TEST(Faults, FailFirstNPerUrlThenSucceed) {
  Running r(with_fault("fail_first:count=2,status=503"));
  auto c = r.client();
  EXPECT_EQ(c->Get(kQuery)->status, 503);
  EXPECT_EQ(c->Get(kQuery)->status, 503);
  EXPECT_EQ(c->Get(kQuery)->status, 200);
  auto other = url("/v1/contratos", "dataInicial=20240111&dataFinal=20240111&pagina=1");
  EXPECT_EQ(c->Get(other)->status, 503);  // counted per distinct URL
  EXPECT_EQ(r.sim.stats().responses_per_status.at(503), 3u);
}

TEST(Faults, RateLimitWithAndWithoutRetryAfter) {
  Running with(with_fault("429:rate=1,retry_after=3"));
  auto res = with.client()->Get(kQuery);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "3");
  Running without(with_fault("429:rate=1"));
  res = without.client()->Get(kQuery);
  EXPECT_EQ(res->status, 429);
  EXPECT_FALSE(res->has_header("Retry-After"));
}

TEST(Faults, RateIsDeterministicAndRoughlyRight) {
  auto run = [] {
    Running r(with_fault("5xx:rate=0.3"));
    auto c = r.client();
    std::vector<int> statuses;
    for (int d = 1; d <= 28; ++d)
      for (int p = 1; p <= 3; ++p) {
        char q[128];
        std::snprintf(q, sizeof q,
                      "dataInicial=202402%02d&dataFinal=202402%02d&pagina=%d&tamanhoPagina=10", d,
                      d, p);
        statuses.push_back(c->Get(url("/v1/contratos", q))->status);
      }
    return statuses;
  };
  auto first = run();
  EXPECT_EQ(first, run());
  int errors = 0;
  for (int s : first) {
    errors += s >= 500;
    EXPECT_TRUE(s == 200 || s == 204 || s == 500 || s == 502 || s == 503 || s == 504) << s;
  }
  EXPECT_GT(errors, 10);
  EXPECT_LT(errors, 45);
}

TEST(Faults, GatewayErrorsAreHtml) {
  Running r(with_fault("5xx:status=502"));
  auto res = r.client()->Get(kQuery);
  EXPECT_EQ(res->status, 502);
  EXPECT_NE(res->body.find("502 Bad Gateway"), std::string::npos);
}

TEST(Faults, SlowResponsesAreDelayed) {
  Running r(with_fault("slow:delay_ms=300"));
  auto start = std::chrono::steady_clock::now();
  auto res = r.client()->Get(kQuery);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  EXPECT_EQ(res->status, 200);
  EXPECT_GE(ms, 300);
}

TEST(Faults, ResetClosesWithoutAResponse) {
  Running r(with_fault("reset:rate=1"));
  auto res = r.client()->Get(kQuery);
  EXPECT_FALSE(res);
  int err = 0;
  std::string bytes = raw_exchange(r.sim.port(), kQuery, &err);
  EXPECT_EQ(bytes, "");
  EXPECT_EQ(err, ECONNRESET);
  EXPECT_EQ(r.sim.stats().responses_per_status.at(0), 2u);
}

TEST(Faults, TruncatedBodyIsShorterThanItsContentLength) {
  Running r(with_fault("truncate:rate=1"));
  std::string bytes = raw_exchange(r.sim.port(), kQuery);
  size_t head_end = bytes.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  std::string head = bytes.substr(0, head_end);
  size_t cl = head.find("Content-Length: ");
  ASSERT_NE(cl, std::string::npos);
  size_t declared = std::stoul(head.substr(cl + 16));
  size_t got = bytes.size() - head_end - 4;
  EXPECT_LT(got, declared);
  EXPECT_GT(got, 0u);
  EXPECT_FALSE(r.client()->Get(kQuery));  // the client sees a read error
}

TEST(Faults, CutJsonIsACompleteResponseWithInvalidJson) {
  Running r(with_fault("truncate:rate=1,mode=cut_json"));
  auto res = r.client()->Get(kQuery);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_FALSE(json::accept(res->body));
  EXPECT_EQ(res->body.front(), '{');
}

TEST(Faults, DataShiftGrowsTotalAfterFirstPage) {
  Running r(with_fault("shift:count=7,endpoint=/v1/contratos"));
  auto c = r.client();
  auto page = [&](int p) {
    return json::parse(
        c->Get(url("/v1/contratos",
                   "dataInicial=20240110&dataFinal=20240110&tamanhoPagina=10&pagina=" +
                       std::to_string(p)))
            ->body);
  };
  json first = page(1);
  json second = page(2);
  EXPECT_EQ(second["totalRegistros"].get<int>(), first["totalRegistros"].get<int>() + 7);
  // What page 1 showed before the shift lacks records that exist afterwards: a pager that
  // trusts page 1's totals misses them.
  std::set<std::string> seen;
  for (auto& rec : first["data"]) seen.insert(rec["numeroControlePNCP"].get<std::string>());
  EXPECT_LT(seen.size(), static_cast<size_t>(second["totalRegistros"].get<int>()));
  // Other endpoints are not shifted.
  auto atas = [&] {
    return json::parse(
        c->Get(url("/v1/atas/atualizacao", "dataInicial=20240110&dataFinal=20240110&pagina=1"))
            ->body)["totalRegistros"];
  };
  EXPECT_EQ(atas(), atas());
}

TEST(Faults, EndpointFilterLimitsAFault) {
  Running r(with_fault("5xx:status=500,endpoint=/v1/atas"));
  auto c = r.client();
  EXPECT_EQ(c->Get(kQuery)->status, 200);
  EXPECT_EQ(c->Get(url("/v1/atas", "dataInicial=20240110&dataFinal=20240110&pagina=1"))->status,
            500);
}

TEST(Faults, ParseRejectsNonsense) {
  EXPECT_THROW(pncp_sim::parse_fault("explode"), std::invalid_argument);
  EXPECT_THROW(pncp_sim::parse_fault("429:rate=2"), std::invalid_argument);
  EXPECT_THROW(pncp_sim::parse_fault("429:color=red"), std::invalid_argument);
  EXPECT_THROW(pncp_sim::parse_schema_change("rename:field=a"), std::invalid_argument);
}

TEST(Stats, CountsRequestsPathsAndConcurrency) {
  Running r(with_fault("slow:delay_ms=200"));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto c = r.client();
      c->Get(url(i % 2 ? "/v1/contratos" : "/v1/atas/atualizacao",
                 "dataInicial=20240110&dataFinal=20240110&pagina=1"));
    });
  for (auto& t : threads) t.join();
  pncp_sim::Stats s = r.sim.stats();
  EXPECT_EQ(s.total_requests, 4u);
  EXPECT_EQ(s.requests_per_path.at("/v1/contratos"), 2u);
  EXPECT_EQ(s.requests_per_path.at("/v1/atas/atualizacao"), 2u);
  EXPECT_GE(s.max_in_flight, 2);
  ASSERT_EQ(s.requests.size(), 4u);
  for (auto& log : s.requests) {
    EXPECT_EQ(log.status, 200);
    EXPECT_GE(log.finished - log.started, std::chrono::milliseconds(200));
  }
  r.sim.reset_stats();
  EXPECT_EQ(r.sim.stats().total_requests, 0u);
}

// Serving a page of 500 cached records is cheap on the server side (handler time from the
// stats; the socket transfer of ~650 kB is the client's cost and depends on machine load).

TEST(Faults, ShortPageCutsRecordsUnderAnUnchangedEnvelope) {
  Running clean;
  Running faulty(with_fault("short:rate=1,count=7"));
  auto full = json::parse(clean.client()->Get(kQuery)->body);
  auto res = faulty.client()->Get(kQuery);
  ASSERT_EQ(res->status, 200);
  auto cut = json::parse(res->body);
  ASSERT_GT(full["data"].size(), 7u);
  EXPECT_EQ(cut["data"].size(), full["data"].size() - 7);
  EXPECT_EQ(cut["totalRegistros"], full["totalRegistros"]);
  EXPECT_EQ(cut["totalPaginas"], full["totalPaginas"]);
  EXPECT_EQ(cut["data"][0], full["data"][0]);  // the front stays, the tail is missing
}

TEST(Faults, ThrottlePageIsHtmlWithStatus200) {
  Running r(with_fault("html200:rate=1"));
  auto res = r.client()->Get(kQuery);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(res->body.find("Limite de Requisi"), std::string::npos);
  EXPECT_TRUE(json::parse(res->body, nullptr, false).is_discarded());
}

TEST(Faults, ClientThrottleAnswers429WithoutRetryAfterOverTheRate) {
  Running r(with_fault("client_throttle:rps=0.01,burst=2"));
  auto c = r.client();
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i) {
    auto res = c->Get(kQuery);
    statuses.push_back(res->status);
    if (res->status == 429) {
      EXPECT_FALSE(res->has_header("Retry-After"));
    }
  }
  EXPECT_EQ(statuses[0], 200);  // the burst
  EXPECT_EQ(statuses[1], 200);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 429), 3);  // faster than 1 per 100 s
  Running html(with_fault("client_throttle:rps=0.01,burst=1,mode=html"));
  auto h = html.client();
  EXPECT_EQ(h->Get(kQuery)->status, 200);
  auto throttled = h->Get(kQuery);
  EXPECT_EQ(throttled->status, 200);
  EXPECT_NE(throttled->body.find("Limite de Requisi"), std::string::npos);
}

TEST(Faults, PagePastTheEndIs400Inexistente) {
  Running r(with_fault("past_end"));
  auto c = r.client();
  auto first = json::parse(c->Get(kQuery)->body);
  const int pages = first["totalPaginas"].get<int>();
  auto past = c->Get(url("/v1/contratos", "dataInicial=20240110&dataFinal=20240110&pagina=" +
                                              std::to_string(pages + 1) + "&tamanhoPagina=50"));
  EXPECT_EQ(past->status, 400);
  EXPECT_EQ(json::parse(past->body)["message"],
            "Página " + std::to_string(pages + 1) + " inexistente");
}

TEST(Faults, NegativeShiftShrinksTheDataAfterPageOneAndTotalNowSeesIt) {
  Running r(with_fault("shift:count=-3"));
  auto c = r.client();
  const std::string q = "dataInicial=20240110&dataFinal=20240110&tamanhoPagina=50";
  const long long before = r.sim.total_now("/v1/contratos", q);
  auto first = json::parse(c->Get(url("/v1/contratos", q + "&pagina=1"))->body);
  EXPECT_EQ(first["totalRegistros"].get<long long>(), before);
  auto again = json::parse(c->Get(url("/v1/contratos", q + "&pagina=1"))->body);
  EXPECT_EQ(again["totalRegistros"].get<long long>(), before - 3);
  EXPECT_EQ(r.sim.total_now("/v1/contratos", q), before - 3);
}
