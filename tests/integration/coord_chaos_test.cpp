// Coordinator faults (issue 16, hardening): a real PostgreSQL started by the test, `baliza
// worker` processes against the in-process simulator, and the faults an operator meets:
//   - a worker stopped (SIGSTOP) past its claim's expiry and woken after another worker
//     re-claimed and finished its tasks: its late writes are fenced out by claim token;
//   - a worker whose PostgreSQL sessions are cut again and again (pg_terminate_backend)
//     mid-claim and mid-write: it reconnects, nothing is lost, nothing is stored twice;
//   - PostgreSQL down for longer than --patience: exit 3 naming the coordinator (password
//     redacted); a later worker resumes without loss.
// Claim expiry is simulated by moving expires_at into the past (as the server's clock would),
// so each test takes seconds, not the 30 s minimum TTL.
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "integration/extract_test_support.h"
#include "support/child_process.h"
#include "support/postgres_server.h"

namespace baliza::extract_test {
namespace {

using testing::Child;

class CoordChaos : public Extraction {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg.ok());
    setenv("BALIZA_COORDINATOR_URL", pg.url().c_str(), 1);
    std::ofstream(dir / "endpoints.yaml") << R"(
defaults:
  concurrency: 3
  rate_limit: {requests_per_second: 200, burst: 4}
  retry: {max_attempts: 8, base_backoff_ms: 5, max_backoff_ms: 50}
  circuit_breaker: {failure_threshold: 50, open_seconds: 1, half_open_probes: 1}
  timeouts: {connect_seconds: 5, request_seconds: 10}
  claim_ttl_seconds: 30
endpoints:
  - name: contratos
    page_size: 10
)";
  }
  void TearDown() override { unsetenv("BALIZA_COORDINATOR_URL"); }

  // A simulator whose contratos pages take `delay_ms` each (so a worker is caught mid-task).
  void start_slow_sim(int delay_ms) {
    pncp_sim::Options o = small_sim();
    o.volume.contratos_per_day = 45;  // 5 pages of 10 per day
    if (delay_ms > 0) {
      pncp_sim::FaultConfig slow;
      slow.kind = pncp_sim::FaultKind::slow;
      slow.endpoint = "/v1/contratos";
      slow.delay_ms = delay_ms;
      o.faults.push_back(slow);
    }
    start_sim(o);
  }
  std::vector<std::string> period() const {
    return {"--range", "2024-01-01:2024-01-10", "--endpoint", "contratos"};
  }
  std::vector<std::string> with(std::vector<std::string> head) const {
    for (const auto& a : period()) head.push_back(a);
    return head;
  }
  std::vector<std::string> worker(const std::string& id, int patience = 30) const {
    return with({"worker", "--worker-id", id, "--base-url", sim->base_url(), "--patience",
                 std::to_string(patience)});
  }
  std::string db_path() const { return (dir / "baliza.duckdb").string(); }
  std::int64_t pg_count(const std::string& sql) const {
    const std::string v = pg.scalar(sql);
    return v.empty() ? -1 : std::stoll(v);
  }
  void publish_plan() {
    close_db();
    Child plan(dir.path(), with({"--db", db_path(), "plan"}), "plan");
    ASSERT_EQ(plan.wait(), 0) << plan.err();
  }
  // Waits until `sql` counts at least `n` (or 60 s pass).
  bool wait_for(const std::string& sql, std::int64_t n) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (pg_count(sql) >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  // Ends the worker's PostgreSQL sessions (all of them, or only those inside a transaction);
  // returns how many.
  std::int64_t cut_sessions(const std::string& worker_id, bool only_in_transaction = false) {
    std::string sql =
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name "
        "= 'baliza worker " +
        worker_id + "'";
    if (only_in_transaction) sql += " AND state LIKE 'idle in transaction%'";
    return pg_count(sql);
  }
  // After pull: the local raw store equals the simulator's ground truth, no page twice.
  void expect_pulled_ground_truth() {
    Child pull(dir.path(), {"--db", db_path(), "pull"}, "pull");
    ASSERT_EQ(pull.wait(), 0) << pull.err();
    open_db();
    EXPECT_EQ(stored_counts(false), truth(config(), {"contratos"}, "20240101", "20240110"));
    EXPECT_EQ(stored_counts(true), truth(config(), {"contratos"}, "20240101", "20240110"));
    EXPECT_EQ(duplicate_pages(), 0);
    EXPECT_EQ(count("SELECT count(*) FROM planning.task_plan WHERE status <> 'done'"), 0);
    close_db();
  }
  // Starts `baliza ui` and returns the body of GET /api/workers (the UI's workers view).
  std::string ui_workers_body() {
    Child ui(dir.path(), {"--db", db_path(), "ui", "--port", "0"}, "ui");
    int port = 0;
    for (int i = 0; i < 400 && port == 0; ++i) {
      const std::string out = ui.out();
      const auto at = out.find("http://127.0.0.1:");
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
    return res ? res->body + ui.err() + ui.out() : "";
  }
  void expect_claims_never_overlap() {
    EXPECT_EQ(pg.scalar("SELECT count(*) FROM baliza.task_claims a JOIN baliza.task_claims b ON "
                        "a.task_id = b.task_id AND a.claim_id < b.claim_id WHERE a.claimed_at < "
                        "coalesce(b.ended_at, 'infinity') AND b.claimed_at < "
                        "coalesce(a.ended_at, 'infinity')"),
              "0");
  }

  testing::PostgresServer pg;
};

TEST_F(CoordChaos, WorkerStoppedPastItsClaimExpiryCannotOverwriteTheReclaimer) {
  start_slow_sim(150);
  publish_plan();
  Child w1(dir.path(), worker("w1"), "w1");
  ASSERT_TRUE(wait_for("SELECT count(*) FROM baliza.task_results WHERE worker_id = 'w1'", 4));
  w1.signal(SIGSTOP);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // A transaction the stopped worker left open is ended, as the server's
  // idle_in_transaction_session_timeout would.
  cut_sessions("w1", true);
  // Its claims expire (the server's clock moved past expires_at while it slept).
  const std::int64_t lost = pg_count(
      "WITH u AS (UPDATE baliza.task_claims SET expires_at = now() - interval '1 second' WHERE "
      "worker_id = 'w1' AND status = 'active' RETURNING 1) SELECT count(*) FROM u");
  ASSERT_GT(lost, 0);

  Child w2(dir.path(), worker("w2"), "w2");
  ASSERT_EQ(w2.wait(), 0) << w2.err();
  EXPECT_EQ(pg_count("SELECT count(*) FROM baliza.task_plan WHERE status <> 'done'"), 0);
  EXPECT_GT(pg_count("SELECT count(*) FROM baliza.task_claims WHERE worker_id = 'w1' AND status "
                     "= 'expired'"),
            0);
  const std::int64_t results = pg_count("SELECT count(*) FROM baliza.task_results");
  const std::int64_t requests = pg_count("SELECT count(*) FROM baliza.api_requests");
  const std::int64_t failures = pg_count("SELECT count(*) FROM baliza.failed_requests");
  const std::string current = pg.scalar(
      "SELECT count(*) || '/' || coalesce(sum(records_count), 0) FROM baliza.task_results WHERE "
      "superseded_at IS NULL");

  // The stopped worker wakes up: its in-flight pages arrive, it goes on with tasks it lost.
  w1.signal(SIGCONT);
  EXPECT_EQ(w1.wait(), 0) << w1.err();
  EXPECT_NE(w1.err().find("its late results are dropped"), std::string::npos) << w1.err();
  // None of its late writes landed: not a page, not a request, not a supersede mark.
  EXPECT_EQ(pg_count("SELECT count(*) FROM baliza.task_results"), results);
  EXPECT_EQ(pg_count("SELECT count(*) FROM baliza.api_requests"), requests);
  EXPECT_EQ(pg_count("SELECT count(*) FROM baliza.failed_requests"), failures);
  EXPECT_EQ(pg.scalar("SELECT count(*) || '/' || coalesce(sum(records_count), 0) FROM "
                      "baliza.task_results WHERE superseded_at IS NULL"),
            current);
  EXPECT_EQ(pg_count("SELECT count(*) FROM baliza.task_plan WHERE status <> 'done'"), 0);
  expect_claims_never_overlap();
  expect_pulled_ground_truth();
}

TEST_F(CoordChaos, SessionsCutMidClaimAndMidWriteLoseNothing) {
  start_slow_sim(100);
  publish_plan();
  Child w1(dir.path(), worker("w1"), "w1");
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> cuts{0};
  std::thread cutter([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const std::int64_t n = cut_sessions("w1");
      if (n > 0) cuts += n;
    }
  });
  const int rc = w1.wait();
  done = true;
  cutter.join();
  ASSERT_EQ(rc, 0) << w1.err();
  EXPECT_GT(cuts.load(), 3) << "the worker's sessions were hardly cut";
  EXPECT_NE(w1.err().find("coordinator unreachable; retrying"), std::string::npos) << w1.err();
  EXPECT_EQ(pg_count("SELECT count(*) FROM baliza.task_plan WHERE status <> 'done'"), 0);
  // No request and no result stored twice by a replayed batch.
  EXPECT_EQ(pg_count("SELECT count(*) FROM (SELECT task_id, page_number FROM baliza.task_results "
                     "WHERE superseded_at IS NULL GROUP BY 1, 2 HAVING count(*) > 1) d"),
            0);
  expect_claims_never_overlap();
  expect_pulled_ground_truth();
}

TEST_F(CoordChaos, CoordinatorDownPastPatienceExits3NamingItThenALaterWorkerResumes) {
  start_slow_sim(40);
  publish_plan();
  // A password in the URL (the test server trusts the socket and ignores it): it must never be
  // printed.
  const std::string url = pg.url() + " password=Sup3rS3cret";
  setenv("BALIZA_COORDINATOR_URL", url.c_str(), 1);
  Child w1(dir.path(), worker("w1", 2), "w1");
  ASSERT_TRUE(wait_for("SELECT count(*) FROM baliza.task_results WHERE worker_id = 'w1'", 3));
  ASSERT_TRUE(pg.stop());
  EXPECT_EQ(w1.wait(), 3) << w1.err();
  const std::string said = w1.err() + w1.out();
  EXPECT_NE(said.find("stayed unreachable for 2 s (--patience)"), std::string::npos) << said;
  EXPECT_NE(said.find("host=" + pg.socket_dir()), std::string::npos) << said;
  EXPECT_NE(said.find("password=***"), std::string::npos) << said;
  EXPECT_EQ(said.find("Sup3rS3cret"), std::string::npos) << said;

  ASSERT_TRUE(pg.start_again());
  // Its claims expire; the next worker takes everything that is left.
  pg.scalar(
      "UPDATE baliza.task_claims SET expires_at = now() - interval '1 second' WHERE "
      "status = 'active'");
  Child w2(dir.path(), worker("w2"), "w2");
  ASSERT_EQ(w2.wait(), 0) << w2.err();
  EXPECT_EQ(w2.err().find("Sup3rS3cret"), std::string::npos);
  EXPECT_EQ(pg_count("SELECT count(*) FROM baliza.task_plan WHERE status <> 'done'"), 0);
  expect_claims_never_overlap();
  expect_pulled_ground_truth();
}

TEST_F(CoordChaos, PullWhileWorkersWriteTwiceAtOnceAndKilledMidCopyConverges) {
  start_slow_sim(30);
  publish_plan();
  Child w1(dir.path(), worker("w1"), "w1");
  ASSERT_TRUE(wait_for("SELECT count(*) FROM baliza.task_results", 5));
  int pulls_ok = 0;
  for (int round = 0; round < 3; ++round) {
    // Two pulls at once into one DuckDB file: each either copies or is refused (exit 3, the
    // file is busy) — never a half-copy.
    Child a(dir.path(), {"--db", db_path(), "pull"}, "pa");
    Child b(dir.path(), {"--db", db_path(), "pull"}, "pb");
    const int ra = a.wait(), rb = b.wait();
    for (const auto& [rc, child] : {std::pair{ra, &a}, std::pair{rb, &b}}) {
      EXPECT_TRUE(rc == 0 || rc == 3) << rc << child->err();
      if (rc == 3) {
        EXPECT_NE(child->err().find("is locked by"), std::string::npos) << child->err();
      }
      if (rc == 0) ++pulls_ok;
    }
    // A pull killed mid-copy.
    Child k(dir.path(), {"--db", db_path(), "pull"}, "pk");
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + 40 * round));
    k.signal(SIGKILL);
    k.wait();
  }
  EXPECT_GT(pulls_ok, 0);
  ASSERT_EQ(w1.wait(), 0) << w1.err();
  expect_pulled_ground_truth();
  open_db();
  EXPECT_EQ(count("SELECT count(*) FROM raw.api_requests"),
            pg_count("SELECT count(*) FROM baliza.api_requests"));
  EXPECT_EQ(count("SELECT count(*) FROM runtime.task_results"),
            pg_count("SELECT count(*) FROM baliza.task_results"));
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT request_id FROM raw.api_requests GROUP BY 1 "
                  "HAVING count(*) > 1)"),
            0);
  close_db();
  Child again(dir.path(), {"--db", db_path(), "pull"}, "again");
  ASSERT_EQ(again.wait(), 0) << again.err();
  EXPECT_NE(again.out().find("pulled from the coordinator: 0 request(s)"), std::string::npos)
      << again.out();
}

TEST_F(CoordChaos, BadCredentialsPermissionsAndSchemaVersionsNameTheFix) {
  start_slow_sim(0);
  const std::string base = "host=" + pg.socket_dir() + " port=5432 dbname=postgres";
  // A role that does not exist: exit 3 at once, naming the coordinator and the fix.
  setenv("BALIZA_COORDINATOR_URL", (base + " user=nobody password=Wr0ngPw").c_str(), 1);
  {
    Child w(dir.path(), worker("w0"), "w0");
    EXPECT_EQ(w.wait(), 3) << w.err();
    EXPECT_NE(w.err().find("cannot connect to the coordinator"), std::string::npos) << w.err();
    EXPECT_NE(w.err().find("password=***"), std::string::npos) << w.err();
    EXPECT_EQ(w.err().find("Wr0ngPw"), std::string::npos) << w.err();
  }
  // A user that may not create the schema in a database without it: exit 3 naming the grant.
  pg.scalar("CREATE ROLE limited LOGIN");
  pg.scalar("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
  setenv("BALIZA_COORDINATOR_URL", (base + " user=limited").c_str(), 1);
  {
    Child w(dir.path(), worker("w0"), "w0");
    EXPECT_EQ(w.wait(), 3) << w.err();
    EXPECT_NE(w.err().find("GRANT CREATE ON DATABASE \"postgres\" TO \"limited\""),
              std::string::npos)
        << w.err();
  }
  // The schema made by its owner, at an older version (2: no xid on completeness checks).
  setenv("BALIZA_COORDINATOR_URL", pg.url().c_str(), 1);
  publish_plan();
  pg.scalar("ALTER TABLE baliza.completeness_checks DROP COLUMN xid");
  pg.scalar("DELETE FROM baliza.schema_version WHERE version = 3");
  // ... a user without rights on it is told which grants it needs.
  setenv("BALIZA_COORDINATOR_URL", (base + " user=limited").c_str(), 1);
  {
    Child w(dir.path(), worker("w0"), "w0");
    EXPECT_EQ(w.wait(), 3) << w.err();
    EXPECT_NE(w.err().find("GRANT USAGE ON SCHEMA baliza TO \"limited\""), std::string::npos)
        << w.err();
  }
  // ... the owner's worker upgrades it in place and works.
  setenv("BALIZA_COORDINATOR_URL", pg.url().c_str(), 1);
  {
    Child w(dir.path(), worker("w1"), "w1");
    EXPECT_EQ(w.wait(), 0) << w.err();
  }
  EXPECT_EQ(pg.scalar("SELECT max(version) FROM baliza.schema_version"), "3");
  expect_pulled_ground_truth();
  // A schema newer than this binary: refused, naming the upgrade.
  pg.scalar("INSERT INTO baliza.schema_version VALUES (99)");
  {
    Child w(dir.path(), worker("w2"), "w2");
    EXPECT_EQ(w.wait(), 3) << w.err();
    EXPECT_NE(w.err().find("schema version 99"), std::string::npos) << w.err();
    EXPECT_NE(w.err().find("upgrade baliza"), std::string::npos) << w.err();
  }
}

TEST_F(CoordChaos, EveryUrlFormReachesTheServerAndNoPasswordIsShown) {
  start_slow_sim(0);
  publish_plan();
  std::string encoded;  // the socket folder, percent-encoded for the URI host
  for (char ch : pg.socket_dir()) encoded += ch == '/' ? std::string("%2F") : std::string(1, ch);
  const std::vector<std::string> forms{
      "postgresql://baliza:Pw0rdA@/postgres?host=" + pg.socket_dir() + "&port=5432",
      "postgres://baliza:Pw0rdA@" + encoded + ":5432/postgres",
      "postgresql:///postgres?host=" + pg.socket_dir() + "&user=baliza&password=Pw0rdA",
      "host=" + pg.socket_dir() + " port=5432 user=baliza dbname=postgres password='Pw0rdA'",
  };
  setenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH", "events.jsonl", 1);
  for (const std::string& url : forms) {
    setenv("BALIZA_COORDINATOR_URL", url.c_str(), 1);
    Child w(dir.path(), {"--db", db_path(), "workers"}, "workers");
    EXPECT_EQ(w.wait(), 0) << url << "\n" << w.err();
    Child p(dir.path(), {"--db", db_path(), "--log-format", "json", "pull"}, "pull");
    EXPECT_EQ(p.wait(), 0) << url << "\n" << p.err();
    for (const std::string& text : {w.out(), w.err(), p.out(), p.err()}) {
      EXPECT_EQ(text.find("Pw0rdA"), std::string::npos) << url << "\n" << text;
    }
  }
  // A worker's OpenLineage events (the file transport) and the pull's name the server only.
  {
    Child w(dir.path(), worker("w1"), "w1");
    EXPECT_EQ(w.wait(), 0) << w.err();
    EXPECT_EQ((w.err() + w.out()).find("Pw0rdA"), std::string::npos);
  }
  const std::string events = testing::read_file(dir / "events.jsonl");
  EXPECT_NE(events.find("baliza.api_requests"), std::string::npos) << events.substr(0, 2000);
  EXPECT_EQ(events.find("Pw0rdA"), std::string::npos);
  unsetenv("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH");
  // The UI's workers view, reachable and not.
  std::string view = ui_workers_body();
  EXPECT_NE(view.find("\"worker_id\":\"w1\""), std::string::npos) << view;
  EXPECT_NE(view.find("password=***"), std::string::npos) << view;
  EXPECT_EQ(view.find("Pw0rdA"), std::string::npos) << view;
  setenv("BALIZA_COORDINATOR_URL",
         ("host=" + (dir / "nowhere").string() + " user=baliza password=Pw0rdA").c_str(), 1);
  view = ui_workers_body();
  EXPECT_NE(view.find("live_error"), std::string::npos) << view;
  EXPECT_EQ(view.find("Pw0rdA"), std::string::npos) << view;
}

}  // namespace
}  // namespace baliza::extract_test
