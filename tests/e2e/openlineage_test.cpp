// End-to-end: OpenLineage events of `baliza demo`, as a user configures them through the
// OpenLineage clients' environment variables.
//   - file transport: every event of the run validates against the official JSON Schemas
//     (tests/e2e/openlineage_validate.py with python3-jsonschema, $refs resolved locally), each
//     model and endpoint has START then COMPLETE under the demo's parent run, and the facets
//     hold what the database holds (rows written, columns, tests);
//   - HTTP transport: a collector on loopback (Marquez's POST /api/v1/lineage) receives the
//     same events with the bearer token, and they validate too;
//   - a collector that is down or never answers: the run still succeeds and reports the events
//     it lost.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

using nlohmann::json;

std::filesystem::path spec_dir() {
  const char* env = std::getenv("BALIZA_SHARED_DIR");
  return std::filesystem::path(env && *env ? env : BALIZA_SHARED_DIR) / "openlineage" / "spec";
}

std::vector<json> read_events(const std::filesystem::path& file) {
  std::vector<json> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

class Collector {
 public:
  Collector() {
    server_.Post("/api/v1/lineage", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mutex_);
      bodies_.push_back(req.body);
      auth_.insert(req.get_header_value("Authorization"));
      res.status = 201;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Collector() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mutex_);
    return bodies_;
  }
  std::set<std::string> auth() {
    std::lock_guard<std::mutex> lock(mutex_);
    return auth_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  std::set<std::string> auth_;
};

class OpenLineage : public testing::BalizaCli {
 protected:
  // The validator's verdict on a JSON-lines file.
  testing::ProcessResult validate(const std::filesystem::path& events) {
    return testing::run_command("python3 '" + std::string(BALIZA_SOURCE_DIR) +
                                    "/tests/e2e/openlineage_validate.py' '" + spec_dir().string() +
                                    "' '" + events.string() + "'",
                                dir.path());
  }
  testing::ProcessResult demo(const std::string& env) {
    return testing::run_command("env -u BALIZA_DB -u OPENLINEAGE_URL -u OPENLINEAGE_DISABLED " +
                                    env + " " + BALIZA_BIN + " demo --mes 2024-02 --scale 0.05 -q",
                                dir.path());
  }
};

TEST_F(OpenLineage, DemoEventsValidateAndDescribeTheRun) {
  ASSERT_TRUE(std::filesystem::exists(spec_dir() / "OpenLineage.json")) << spec_dir();
  auto r = demo("OPENLINEAGE_NAMESPACE=tests OPENLINEAGE__TRANSPORT__LOG_FILE_PATH=events.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto v = validate(dir / "events.jsonl");
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  std::vector<json> events = read_events(dir / "events.jsonl");
  ASSERT_FALSE(events.empty());
  EXPECT_NE(r.out.find("OpenLineage: " + std::to_string(events.size()) + " event(s) sent"),
            std::string::npos)
      << r.out;
  // The first and last events are the demo's own run; every other names it as parent.
  const json& first = events.front();
  EXPECT_EQ(first["eventType"], "START");
  EXPECT_EQ(first["job"]["name"], "pncp.demo");
  EXPECT_EQ(first["job"]["namespace"], "tests");
  EXPECT_EQ(events.back()["eventType"], "COMPLETE");
  EXPECT_EQ(events.back()["run"]["runId"], first["run"]["runId"]);
  std::string ns =
      "duckdb://" + std::filesystem::weakly_canonical(dir / "data" / "demo.duckdb").string();

  std::map<std::string, std::vector<std::string>> types;  // runId -> event types in order
  std::map<std::string, json> complete;                   // job name -> its COMPLETE
  for (std::size_t i = 1; i + 1 < events.size(); ++i) {
    const json& e = events[i];
    EXPECT_EQ(e["run"]["facets"]["parent"]["run"]["runId"], first["run"]["runId"]) << e.dump();
    types[e["run"]["runId"]].push_back(e["eventType"]);
    if (e["eventType"] == "COMPLETE") complete[e["job"]["name"]] = e;
  }
  for (const auto& [run, seq] : types) {
    EXPECT_EQ(seq, (std::vector<std::string>{"START", "COMPLETE"})) << run;
  }

  // Extraction of an endpoint: the API path in, the raw tables out, pages stored counted.
  ASSERT_TRUE(complete.count("pncp.extract.contratos"));
  const json& ex = complete["pncp.extract.contratos"];
  EXPECT_EQ(ex["inputs"][0]["namespace"].get<std::string>().rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_EQ(ex["inputs"][0]["name"], "/api/consulta/v1/contratos");
  EXPECT_EQ(ex["outputs"][0]["namespace"], ns);
  EXPECT_EQ(ex["outputs"][0]["name"], "raw.api_requests");
  EXPECT_EQ(
      std::to_string(
          ex["outputs"][0]["outputFacets"]["outputStatistics"]["rowCount"].get<std::int64_t>()),
      scalar("data/demo.duckdb",
             "select count(*) from raw.api_requests where endpoint = 'contratos'"));

  // A model: rows written, its columns with types, its inputs, its tests, its SQL.
  ASSERT_TRUE(complete.count("pncp.contratos"));
  const json& m = complete["pncp.contratos"];
  const json& out = m["outputs"][0];
  EXPECT_EQ(out["namespace"], ns);
  EXPECT_EQ(out["name"], "staging.contratos");
  EXPECT_EQ(std::to_string(out["outputFacets"]["outputStatistics"]["rowCount"].get<std::int64_t>()),
            scalar("data/demo.duckdb", "select count(*) from staging.contratos"));
  std::map<std::string, std::string> columns;
  for (const json& f : out["facets"]["schema"]["fields"]) columns[f["name"]] = f["type"];
  EXPECT_EQ(columns.size(),
            std::stoul(scalar("data/demo.duckdb",
                              "select count(*) from duckdb_columns() where schema_name = "
                              "'staging' and table_name = 'contratos'")));
  ASSERT_TRUE(columns.count("valor_global"));
  EXPECT_EQ(scalar("data/demo.duckdb",
                   "select count(*) from duckdb_columns() where schema_name = 'staging' and "
                   "table_name = 'contratos' and column_name = 'valor_global' and data_type = '" +
                       columns["valor_global"] + "'"),
            "1");
  std::set<std::string> inputs;
  for (const json& d : m["inputs"]) inputs.insert(d["name"]);
  EXPECT_TRUE(inputs.count("staging.contratos_registros")) << m["inputs"].dump();
  bool not_null = false;
  for (const json& a : out["facets"]["dataQualityAssertions"]["assertions"]) {
    EXPECT_TRUE(a["success"].get<bool>()) << a.dump();
    not_null |= a["assertion"] == "not_null";
  }
  EXPECT_TRUE(not_null) << out["facets"].dump();
  EXPECT_NE(m["job"]["facets"]["sql"]["query"].get<std::string>().find("select"),
            std::string::npos);
  EXPECT_EQ(m["job"]["facets"]["jobType"]["jobType"], "MODEL");
  // Column lineage: staging.contratos.valor_global is its registros column, unchanged.
  const json& field = out["facets"]["columnLineage"]["fields"]["valor_global"]["inputFields"];
  ASSERT_EQ(field.size(), 1u) << out["facets"]["columnLineage"].dump();
  EXPECT_EQ(field[0]["namespace"], ns);
  EXPECT_EQ(field[0]["name"], "staging.contratos_registros");
  EXPECT_EQ(field[0]["field"], "valor_global");
  EXPECT_EQ(field[0]["transformations"][0]["subtype"], "IDENTITY");
  // ... and that one comes from the JSON field of the raw page.
  ASSERT_TRUE(complete.count("pncp.contratos_registros"));
  const json& raw = complete["pncp.contratos_registros"]["outputs"][0]["facets"]["columnLineage"]
                            ["fields"]["valor_global"]["inputFields"][0];
  EXPECT_EQ(raw["name"], "raw.payloads");
  EXPECT_EQ(raw["transformations"][0]["description"],
            "JSON field data[].valorGlobal of endpoint contratos, contratos_atualizacao");
  EXPECT_EQ(m["job"]["facets"]["sourceCodeLocation"]["url"],
            "embedded:pncp/models/staging/contratos.sql");
}

TEST_F(OpenLineage, EventsReachAnHttpCollectorWithTheBearerToken) {
  Collector collector;
  auto r = demo("OPENLINEAGE_URL=http://127.0.0.1:" + std::to_string(collector.port()) +
                " OPENLINEAGE_API_KEY=s3cret");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> bodies = collector.bodies();
  ASSERT_FALSE(bodies.empty());
  EXPECT_NE(r.out.find("OpenLineage: " + std::to_string(bodies.size()) +
                       " event(s) sent to http://127.0.0.1:"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("LOST"), std::string::npos) << r.out;
  EXPECT_EQ(collector.auth(), std::set<std::string>{"Bearer s3cret"});
  std::ofstream file(dir / "posted.jsonl");
  for (const std::string& b : bodies) file << b << "\n";
  file.close();
  auto v = validate(dir / "posted.jsonl");
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_F(OpenLineage, ACollectorThatIsDownLosesEventsButNotTheRun) {
  // A port nobody listens on (bound, then released).
  int port;
  {
    httplib::Server probe;
    port = probe.bind_to_any_port("127.0.0.1");
  }
  auto r = demo("OPENLINEAGE_URL=http://127.0.0.1:" + std::to_string(port) +
                " OPENLINEAGE__TRANSPORT__TIMEOUT=1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OpenLineage: 0 event(s) sent"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("LOST"), std::string::npos) << r.out;
  EXPECT_EQ(scalar("data/demo.duckdb", "select count(*) > 0 from staging.contratos"), "true");
}

TEST_F(OpenLineage, ACollectorThatNeverAnswersLosesEventsButNotTheRun) {
  // Accepts connections and never answers: every POST ends at the timeout.
  httplib::Server slow;
  std::atomic<bool> stop{false};
  slow.Post("/api/v1/lineage", [&](const httplib::Request&, httplib::Response& res) {
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    res.status = 500;
  });
  int port = slow.bind_to_any_port("127.0.0.1");
  std::thread t([&] { slow.listen_after_bind(); });
  while (!slow.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto r = demo("OPENLINEAGE_URL=http://127.0.0.1:" + std::to_string(port) +
                " OPENLINEAGE__TRANSPORT__TIMEOUT=0.2 OPENLINEAGE__TRANSPORT__RETRIES=0");
  stop = true;
  slow.stop();
  t.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("LOST"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace baliza
