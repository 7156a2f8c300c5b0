// EventClient: the queue, retries and losses, with a poster that records calls (the HTTP side
// is tested end to end in tests/e2e/openlineage_test.cpp), the file transport, and the config
// from baliza.yml and the environment.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>

#include "core/error.h"
#include "lineage/openlineage_client.h"
#include "lineage/openlineage_event.h"
#include "support/temp_dir.h"

namespace baliza::lineage {
namespace {

OpenLineageConfig http_config(int retries) {
  OpenLineageConfig c;
  c.transport = OpenLineageConfig::Transport::kHttp;
  c.url = "http://127.0.0.1:1/";
  c.retries = retries;
  c.timeout_seconds = 2;
  return c;
}

TEST(EventClient, DeliversInOrderWithTheBearerToken) {
  std::mutex m;
  std::vector<std::string> bodies;
  std::vector<std::string> urls;
  OpenLineageConfig c = http_config(0);
  c.api_key = "k";
  EventClient client(c, [&](const PostRequest& r) {
    std::lock_guard<std::mutex> lock(m);
    bodies.push_back(r.body);
    urls.push_back(r.url);
    EXPECT_EQ(r.headers.back(), "Authorization: Bearer k");
    return PostResponse{200, ""};
  });
  for (int i = 0; i < 50; ++i) client.emit({{"n", i}});
  EventClient::Stats s = client.close();
  EXPECT_EQ(s.emitted, 50u);
  EXPECT_EQ(s.delivered, 50u);
  EXPECT_EQ(s.lost, 0u);
  ASSERT_EQ(bodies.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(bodies[i], nlohmann::json({{"n", i}}).dump());
  EXPECT_EQ(urls.front(), "http://127.0.0.1:1/api/v1/lineage");
}

TEST(EventClient, RetriesOnceThenGivesOneAttemptPerEventWhileTheCollectorIsDown) {
  std::atomic<int> calls{0};
  EventClient client(http_config(2), [&](const PostRequest&) {
    ++calls;
    return PostResponse{0, "Connection refused"};
  });
  for (int i = 0; i < 5; ++i) client.emit({{"n", i}});
  EventClient::Stats s = client.close();
  EXPECT_EQ(s.delivered, 0u);
  EXPECT_EQ(s.lost, 5u);
  // The first event: 1 + 2 retries; each later one (if reached before the deadline): 1.
  EXPECT_LE(calls.load(), 3 + 4);
  EXPECT_GE(calls.load(), 3);
  EXPECT_NE(s.last_error.find("Connection refused"), std::string::npos) << s.last_error;
  EXPECT_NE(client.summary().find("5 LOST"), std::string::npos) << client.summary();
}

TEST(EventClient, ABadRequestIsNotRetriedAndARecoveredCollectorGetsTheRest) {
  std::atomic<int> calls{0};
  EventClient client(http_config(3), [&](const PostRequest& r) {
    ++calls;
    return PostResponse{r.body.find("bad") != std::string::npos ? 400L : 201L, ""};
  });
  client.emit({{"bad", true}});
  client.emit({{"ok", 1}});
  client.emit({{"ok", 2}});
  EventClient::Stats s = client.close();
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(s.lost, 1u);
  EXPECT_EQ(s.delivered, 2u);
  EXPECT_NE(s.last_error.find("HTTP 400"), std::string::npos);
}

TEST(EventClient, AFullQueueDropsAndCounts) {
  std::mutex gate;
  gate.lock();
  OpenLineageConfig c = http_config(0);
  c.queue_capacity = 2;
  c.timeout_seconds = 0.05;
  EventClient client(c, [&](const PostRequest&) {
    std::lock_guard<std::mutex> wait(gate);  // blocks until the test opens the gate
    return PostResponse{200, ""};
  });
  for (int i = 0; i < 10; ++i) client.emit({{"n", i}});
  gate.unlock();
  EventClient::Stats s = client.close();
  EXPECT_EQ(s.emitted, 10u);
  EXPECT_EQ(s.delivered + s.lost, 10u);
  EXPECT_GE(s.lost, 7u);  // at most one in flight and two queued
}

TEST(EventClient, FileTransportAppendsOneEventPerLine) {
  testing::TempDir dir;
  OpenLineageConfig c;
  c.transport = OpenLineageConfig::Transport::kFile;
  c.file = dir / "sub" / "events.jsonl";
  for (int round = 0; round < 2; ++round) {
    EventClient client(c, nullptr);
    client.emit({{"round", round}});
    EXPECT_EQ(client.close().delivered, 1u);
  }
  std::ifstream in(c.file);
  std::string a, b, rest;
  std::getline(in, a);
  std::getline(in, b);
  EXPECT_EQ(a, "{\"round\":0}");
  EXPECT_EQ(b, "{\"round\":1}");
  EXPECT_FALSE(std::getline(in, rest));
}

TEST(EventClient, DisabledIgnoresEverything) {
  EventClient client(OpenLineageConfig{}, nullptr);
  client.emit({{"n", 1}});
  EXPECT_EQ(client.close().emitted, 0u);
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

TEST(OpenLineageConfig, YamlThenEnvironment) {
  testing::TempDir dir;
  std::ofstream(dir / "baliza.yml") << "name: p\nopenlineage:\n  namespace: prod\n  transport:\n"
                                       "    type: http\n    url: http://marquez:5000\n"
                                       "    timeout: 3\n    retries: 1\n";
  OpenLineageConfig c = load_openlineage_config(dir / "baliza.yml", env_of({}));
  EXPECT_EQ(c.transport, OpenLineageConfig::Transport::kHttp);
  EXPECT_EQ(c.post_url(), "http://marquez:5000/api/v1/lineage");
  EXPECT_EQ(c.job_namespace, "prod");
  EXPECT_EQ(c.timeout_seconds, 3);
  EXPECT_EQ(c.retries, 1);

  c = load_openlineage_config(dir / "baliza.yml", env_of({{"OPENLINEAGE_URL", "https://ol.example"},
                                                          {"OPENLINEAGE_ENDPOINT", "/v2/events"},
                                                          {"OPENLINEAGE_NAMESPACE", "x"}}));
  EXPECT_EQ(c.post_url(), "https://ol.example/v2/events");
  EXPECT_EQ(c.job_namespace, "x");
  c = load_openlineage_config(dir / "baliza.yml", env_of({{"OPENLINEAGE_DISABLED", "true"}}));
  EXPECT_FALSE(c.enabled());
  c = load_openlineage_config(std::nullopt, env_of({}));
  EXPECT_FALSE(c.enabled());
}

TEST(OpenLineageConfig, MistakesNameTheirPlace) {
  testing::TempDir dir;
  std::ofstream(dir / "baliza.yml") << "openlineage:\n  transport:\n    type: kafka\n";
  try {
    load_openlineage_config(dir / "baliza.yml", env_of({}));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("baliza.yml:3:11"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected one of http, file, none"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(load_openlineage_config(std::nullopt, env_of({{"OPENLINEAGE_URL", "localhost"}})),
               Error);
  EXPECT_THROW(
      load_openlineage_config(std::nullopt, env_of({{"OPENLINEAGE_URL", "http://h"},
                                                    {"OPENLINEAGE__TRANSPORT__TIMEOUT", "soon"}})),
      Error);
}

TEST(OpenLineageEvent, NamesAndIds) {
  EXPECT_EQ(
      http_dataset_name("https://pncp.gov.br/api/consulta/v1/contratos?pagina=2"),
      (std::pair<std::string, std::string>{"https://pncp.gov.br", "/api/consulta/v1/contratos"}));
  std::string id = new_run_id();
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(id, new_run_id());
  EXPECT_EQ(duckdb_namespace("/tmp/../tmp/x.duckdb"), "duckdb:///tmp/x.duckdb");
}

}  // namespace
}  // namespace baliza::lineage
