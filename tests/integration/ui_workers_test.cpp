// The Workers view of `baliza ui` against a real coordinator: a PostgreSQL server started by the
// test, a `baliza worker` that extracts from the simulator through it, `baliza pull`; then
// GET /api/workers lists the worker as pulled (meta.coordinator_workers) and live from
// PostgreSQL with the pages it stored, and with an unreachable coordinator still answers with
// what was pulled and says why the live list is missing.
#include <httplib.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <thread>

#include "integration/extract_test_support.h"
#include "support/child_process.h"
#include "support/postgres_server.h"

namespace baliza::extract_test {
namespace {

using nlohmann::json;
using testing::Child;

class UiWorkers : public Extraction {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg.ok());
    setenv("BALIZA_COORDINATOR_URL", pg.url().c_str(), 1);
    start_sim();
    std::ofstream(dir / "endpoints.yaml") << R"(
defaults:
  concurrency: 4
  rate_limit: {requests_per_second: 200, burst: 10}
  retry: {max_attempts: 8, base_backoff_ms: 5, max_backoff_ms: 50}
endpoints:
  - name: contratos
    page_size: 10
)";
  }
  void TearDown() override { unsetenv("BALIZA_COORDINATOR_URL"); }
  std::string db_path() const { return (dir / "baliza.duckdb").string(); }

  // Starts `baliza ui` and returns GET /api/workers.
  json workers() {
    Child ui(dir.path(), {"--db", db_path(), "ui", "--port", "0"}, "ui");
    int port = 0;
    for (int i = 0; i < 400 && port == 0; ++i) {
      std::string out = ui.out();
      auto at = out.find("http://127.0.0.1:");
      if (at != std::string::npos && out.find('/', at + 17) != std::string::npos)
        port = std::stoi(out.substr(at + 17));
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_GT(port, 0) << ui.err();
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(60, 0);
    auto res = client.Get("/api/workers");
    ui.signal(SIGINT);
    ui.wait();
    EXPECT_TRUE(res);
    if (!res) return json();
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body, nullptr, false);
  }

  testing::PostgresServer pg;
};

TEST_F(UiWorkers, PulledAndLiveWorkersWithTheirPages) {
  close_db();
  const std::vector<std::string> period{"--dia", "2024-01-15", "--endpoint", "contratos"};
  auto with = [&](std::vector<std::string> head) {
    head.insert(head.end(), period.begin(), period.end());
    return head;
  };
  Child plan(dir.path(), with({"--db", db_path(), "plan"}), "plan");
  ASSERT_EQ(plan.wait(), 0) << plan.err();
  Child worker(
      dir.path(),
      with({"worker", "--worker-id", "ui-w1", "--base-url", sim->base_url(), "--patience", "30"}),
      "worker");
  ASSERT_EQ(worker.wait(), 0) << worker.err();
  Child pull(dir.path(), {"--db", db_path(), "pull"}, "pull");
  ASSERT_EQ(pull.wait(), 0) << pull.err();
  const std::string pages =
      pg.scalar("SELECT count(*) FROM baliza.api_requests WHERE worker_id = 'ui-w1'");
  ASSERT_GT(std::stoll(pages), 0);

  json w = workers();
  ASSERT_TRUE(w["stored"].is_object()) << w.dump();
  const auto& cols = w["stored"]["columns"];
  auto col = [&](const char* name) {
    return static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  ASSERT_EQ(w["stored"]["rows"].size(), 1u) << w.dump();
  const auto& stored = w["stored"]["rows"][0];
  EXPECT_EQ(stored[col("worker_id")], "ui-w1");
  EXPECT_EQ(stored[col("pages")], pages);
  EXPECT_FALSE(stored[col("host")].is_null());
  ASSERT_TRUE(w["live"].is_array()) << w.dump();
  ASSERT_EQ(w["live"].size(), 1u);
  EXPECT_EQ(w["live"][0]["worker_id"], "ui-w1");
  EXPECT_EQ(std::to_string(w["live"][0]["pages"].get<long long>()), pages);
  EXPECT_EQ(w["live"][0]["active_claims"], 0);
  EXPECT_TRUE(w["coordinator"].is_string());

  // The coordinator gone: what was pulled still shows, and the live list says why it is not.
  setenv("BALIZA_COORDINATOR_URL", ("host=" + (dir / "no-server").string() + " port=5432").c_str(),
         1);
  json gone = workers();
  EXPECT_EQ(gone["stored"]["rows"].size(), 1u) << gone.dump();
  EXPECT_TRUE(gone["live"].is_null());
  EXPECT_FALSE(gone.value("live_error", "").empty()) << gone.dump();
}

}  // namespace
}  // namespace baliza::extract_test
