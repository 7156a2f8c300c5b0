// `baliza ui` at the HTTP level, as a browser would use it: a demo database, the UI started as
// a user would (`baliza ui --port 0`), and `baliza transform` running in another process while
// every JSON endpoint of the page is requested. Also: writes and file reads through the UI are
// refused (400, exit code 2), a foreign Host header is refused (DNS rebinding), a token protects
// a UI started with one, and a non-loopback address needs a token.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "support/process.h"
#include "support/spawned.h"
#include "support/temp_dir.h"
#include "transform/synthetic_project.h"

namespace baliza::testing {
namespace {

using nlohmann::json;

class UiHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto demo =
        run_command(std::string(BALIZA_BIN) + " --db demo.duckdb demo -q >/dev/null", dir_->path());
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    auto hostile =
        run_command(std::string(BALIZA_BIN) +
                        " --db demo.duckdb query \"create table main.hostile as select "
                        "'<script>window.pwned=1</script><img src=x onerror=alert(1)>' as txt\"",
                    dir_->path());
    ASSERT_EQ(hostile.exit_code, 0) << hostile.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  // Starts `baliza ui` with extra flags and returns its port (0 when it did not start).
  // In another folder (cwd), the database is the one that folder's baliza.yml names.
  int start_ui(const std::vector<std::string>& extra = {}, const std::filesystem::path& cwd = {}) {
    std::vector<std::string> argv{BALIZA_BIN, "--db", "demo.duckdb", "ui", "--port", "0"};
    if (!cwd.empty()) argv.erase(argv.begin() + 1, argv.begin() + 3);
    argv.insert(argv.end(), extra.begin(), extra.end());
    ui_ = std::make_unique<Spawned>(cwd.empty() ? dir_->path() : cwd, argv, "ui");
    for (int i = 0; i < 300; ++i) {
      std::string out = ui_->out();
      auto at = out.find("http://127.0.0.1:");
      if (at != std::string::npos && out.find('/', at + 17) != std::string::npos) {
        return std::stoi(out.substr(at + 17));
      }
      if (!ui_->running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "baliza ui did not start: " << ui_->err();
    return 0;
  }
  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    return client.Get(path.c_str(), headers);
  }
  json get_json(const std::string& path) {
    auto res = get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    return json::parse(res->body, nullptr, false);
  }
  static std::string q(const std::string& text) {
    return httplib::detail::encode_query_param(text);
  }

  static TempDir* dir_;
  std::unique_ptr<Spawned> ui_;
  int port_ = 0;
};

TempDir* UiHttp::dir_ = nullptr;

TEST_F(UiHttp, EveryEndpointAnswersWhileATransformRuns) {
  port_ = start_ui();
  ASSERT_GT(port_, 0);
  // Expected figures, read before the transform starts.
  auto pages = run_command(std::string(BALIZA_BIN) +
                               " --db demo.duckdb query -f csv \"select count(*) from "
                               "raw.api_requests\"",
                           dir_->path());
  ASSERT_EQ(pages.exit_code, 0) << pages.err;
  const std::string page_count = pages.out.substr(pages.out.find('\n') + 1, std::string::npos);

  Spawned transform(dir_->path(),
                    {BALIZA_BIN, "--db", "demo.duckdb", "transform", "--full-refresh"},
                    "transform");
  // Reads go through the transform's socket once it holds the database.
  bool served_by_transform = false;
  for (int i = 0; i < 400 && transform.running(); ++i) {
    json s = get_json("/api/summary");
    if (s.value("source", "").find("process " + std::to_string(transform.pid())) !=
        std::string::npos) {
      served_by_transform = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(served_by_transform) << "the transform ended before the UI read through it";

  json summary = get_json("/api/summary");
  EXPECT_EQ(summary["pages"].get<std::string>() + "\n", page_count);

  json runs = get_json("/api/runs");
  ASSERT_TRUE(runs["runs"]["rows"].is_array());
  EXPECT_GT(runs["runs"]["rows"].size(), 0u);
  EXPECT_GT(runs["stages"]["rows"].size(), 0u);

  json live = get_json("/api/live");
  ASSERT_GT(live["rows"].size(), 0u);
  std::size_t done_col = 0;
  for (std::size_t c = 0; c < live["columns"].size(); ++c) {
    if (live["columns"][c] == "pages_done") done_col = c;
  }
  long long pages_done = 0;
  for (const auto& row : live["rows"]) pages_done += std::stoll(row[done_col].get<std::string>());
  EXPECT_GT(pages_done, 0);

  json coverage = get_json("/api/coverage");
  ASSERT_GT(coverage["rows"].size(), 0u);
  std::string endpoint = coverage["rows"][0][0], day = coverage["rows"][0][1];
  json cell = get_json("/api/coverage/cell?endpoint=" + q(endpoint) + "&day=" + q(day));
  EXPECT_GT(cell["tasks"]["rows"].size(), 0u);
  EXPECT_GT(cell["pages"]["rows"].size(), 0u);
  EXPECT_TRUE(cell["failures"]["rows"].is_array());

  json models = get_json("/api/models");
  ASSERT_GT(models["nodes"].size(), 10u);
  EXPECT_GT(models["edges"].size(), 10u);
  std::string mart_id;
  for (const auto& n : models["nodes"]) {
    if (n["name"] == "contratos_alteracoes") mart_id = n["id"];
  }
  ASSERT_FALSE(mart_id.empty());
  json model = get_json("/api/model?id=" + q(mart_id));
  EXPECT_NE(model["sql"].get<std::string>().find("select"), std::string::npos);
  EXPECT_GT(model["columns"]["rows"].size(), 0u);
  EXPECT_GT(model["parents"].size(), 0u);

  json quality = get_json("/api/quality");
  EXPECT_GT(quality["accounting"]["rows"].size(), 0u);
  EXPECT_GT(quality["quarantine"].size(), 0u);
  EXPECT_TRUE(quality["drift"]["rows"].is_array());
  EXPECT_GT(quality["tests"]["rows"].size(), 0u);

  json query = get_json("/api/query?sql=" + q("select count(*) as n from raw.api_requests"));
  EXPECT_EQ(query["rows"][0][0].get<std::string>() + "\n", page_count);
  json paged =
      get_json("/api/query?limit=10&offset=5&sql=" + q("select range as i from range(100)"));
  ASSERT_EQ(paged["rows"].size(), 10u);
  EXPECT_EQ(paged["rows"][0][0], "5");
  EXPECT_TRUE(paged["truncated"].get<bool>());
  auto csv = get("/api/query.csv?sql=" + q("select txt from main.hostile"));
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->body, "txt\n<script>window.pwned=1</script><img src=x onerror=alert(1)>\n");

  // The views added for lineage, workflows and workers, still through the transform's socket.
  json picked = get_json("/api/lineage/rows?model=contratacoes_mensal&limit=3");
  ASSERT_EQ(picked["rows"]["rows"].size(), 3u) << picked.dump();
  EXPECT_TRUE(picked["rows"]["truncated"].get<bool>());
  EXPECT_EQ(picked["relation"], "marts.contratacoes_mensal");
  json found = get_json("/api/models/search?q=contratos_alter");
  ASSERT_GT(found.size(), 0u);
  EXPECT_EQ(found[0]["name"], "contratos_alteracoes");
  json workflows = get_json("/api/workflows");
  EXPECT_TRUE(workflows["runs"].is_null() || workflows["runs"]["rows"].empty()) << workflows.dump();
  // Workers: nothing pulled and no coordinator in a demo database.
  json workers = get_json("/api/workers");
  EXPECT_TRUE(workers["stored"].is_null()) << workers.dump();
  EXPECT_TRUE(workers["coordinator"].is_null());

  EXPECT_EQ(transform.wait(), 0) << transform.err();

  // Lineage (the lineage engine's trace and impact; they need the file, free again now).
  json row = get_json("/api/query?sql=" +
                      q("select numero_controle_pncp from marts.contratos_alteracoes limit 1"));
  ASSERT_EQ(row["rows"].size(), 1u);
  std::string key = row["rows"][0][0];
  json trace =
      get_json("/api/trace?model=contratos_alteracoes&column=numero_controle_pncp&value=" + q(key) +
               "&limit=2");
  ASSERT_TRUE(trace["levels"].is_array()) << trace.dump();
  EXPECT_EQ(trace["levels"][0]["relation"], "marts.contratos_alteracoes");
  EXPECT_EQ(trace["levels"][0]["rows"], 1);
  std::string page_sha;
  for (const auto& level : trace["levels"]) {
    if (level["kind"] != "raw page") continue;
    ASSERT_GT(level["sample"].size(), 0u);
    EXPECT_LE(level["sample"].size(), 2u);
    for (const auto& rec : level["sample"]) {
      EXPECT_NE(rec["record"].dump().find(key), std::string::npos) << rec.dump();
      EXPECT_EQ(rec["url"].get<std::string>().rfind("http", 0), 0u);
    }
    page_sha = level["sample"][0]["payload_sha256"];
  }
  ASSERT_FALSE(page_sha.empty()) << "the trace did not reach a raw page: " << trace.dump();
  json impact = get_json("/api/impact?page=" + page_sha.substr(0, 16));
  ASSERT_GT(impact["levels"].size(), 1u) << impact.dump();
  EXPECT_EQ(impact["levels"][0]["relation"], "raw.api_requests");
  EXPECT_EQ(impact["levels"][0]["rows"], 1);
  // Column-level impact of one JSON field of that page's records: the model that unnests it.
  json field = get_json("/api/impact?field=valorGlobal&page=" + page_sha.substr(0, 16));
  bool reads_field = false;
  for (const auto& level : field["levels"]) {
    if (level["relation"] != "staging.contratos_registros") continue;
    for (const auto& c : level.value("columns", json::array()))
      reads_field = reads_field || c["column"] == "valor_global";
  }
  EXPECT_TRUE(reads_field) << field.dump().substr(0, 2000);
  // A predicate that is not a plain read is refused by the read guard (exit code 2).
  auto bad = get("/api/trace?model=contratacoes_mensal&where=" +
                 q("mes IN (SELECT 1 FROM read_text('/etc/passwd'))"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_EQ(json::parse(bad->body)["exit_code"], 2);
  auto unknown = get("/api/trace?model=no_such_model&column=a&value=b");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("no_such_model"), std::string::npos);
}

// Trace and impact keep each model's analysis across requests (lineage/analysis_cache.h): the
// same request gives the same bytes every time, equal to `baliza trace` in a fresh process with
// nothing cached, and a level's samples page consistently (the second page of two rows is the
// third and fourth row of a first page of six: samples are in a fixed order, whatever the limit).
TEST_F(UiHttp, TraceAndImpactGiveTheSameBytesOnEveryRequest) {
  port_ = start_ui();
  ASSERT_GT(port_, 0);
  const std::string where =
      "qtd_contratacoes >= (select max(qtd_contratacoes) from marts.contratacoes_mensal)";
  const std::string trace = "/api/trace?model=contratacoes_mensal&where=" + q(where);
  json page = get_json("/api/query?sql=" + q("select payload_sha256 from raw.api_requests where "
                                             "endpoint = 'contratacoes_publicacao' and "
                                             "payload_sha256 is not null order by 1 limit 1"));
  ASSERT_EQ(page["rows"].size(), 1u) << page.dump();
  const std::string sha = page["rows"][0][0];
  for (const std::string& path :
       {trace + "&limit=4", "/api/impact?page=" + sha.substr(0, 16),
        "/api/impact?field=valorTotalEstimado&page=" + sha.substr(0, 16)}) {
    auto first = get(path);
    auto second = get(path);
    ASSERT_TRUE(first && second) << path;
    ASSERT_EQ(first->status, 200) << path << ": " << first->body;
    EXPECT_EQ(first->body, second->body) << path;
  }
  json all = get_json(trace + "&limit=6");
  json later = get_json(trace + "&offset=2&limit=2");
  ASSERT_EQ(all["levels"].size(), later["levels"].size());
  std::size_t paged = 0;
  for (std::size_t i = 0; i < all["levels"].size(); ++i) {
    const json& whole = all["levels"][i]["sample"];
    json tail = json::array();
    for (std::size_t r = 2; r < whole.size() && r < 4; ++r) tail.push_back(whole[r]);
    EXPECT_EQ(later["levels"][i]["sample"], tail) << all["levels"][i]["relation"];
    paged += tail.size();
  }
  EXPECT_GT(paged, 0u) << all.dump().substr(0, 2000);
  // A fresh process, nothing cached: the same levels.
  auto cli = run_command(std::string(BALIZA_BIN) + " --db demo.duckdb trace contratacoes_mensal " +
                             "--where \"" + where + "\" --show-json --limit 6 --format json",
                         dir_->path());
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  json fresh = json::parse(cli.out, nullptr, false);
  ASSERT_TRUE(fresh.is_object()) << cli.out;
  json levels = all["levels"];
  for (json& level : levels) level.erase("has_more");
  EXPECT_EQ(levels, fresh["levels"]);
  EXPECT_EQ(all["complete"], fresh["complete"]);
}

// A project too big to draw node by node: the Models view gets an overview of groups that covers
// every node; a group, a neighbourhood, a search and "every node" reach the nodes themselves.
TEST_F(UiHttp, ABigDagIsServedAsGroupsNeighbourhoodsAndSearch) {
  const std::filesystem::path project = dir_->path() / "big";
  transform::write_synthetic_project(project, {.models = 3000});
  port_ = start_ui({"--project-dir", project.string()});
  ASSERT_GT(port_, 0);
  json overview = get_json("/api/models");
  ASSERT_TRUE(overview.value("overview", false)) << overview.dump().substr(0, 300);
  const std::size_t total = overview["total_nodes"];
  EXPECT_EQ(total, 3020u);  // 3,000 models and 20 sources
  EXPECT_EQ(overview["nodes"].size(), 0u);
  ASSERT_LE(overview["groups"].size(), 120u);
  std::size_t covered = 0;
  json largest;
  for (const auto& g : overview["groups"]) {
    covered += g["count"].get<std::size_t>();
    if (largest.is_null() || g["count"] > largest["count"]) largest = g;
  }
  EXPECT_EQ(covered, total);
  EXPECT_GT(overview["group_edges"].size(), 0u);

  json group = get_json("/api/models?group=" + q(largest["id"]));
  std::size_t members = 0;
  for (const auto& n : group["nodes"]) {
    members += n.value("context", false) ? 0 : 1;
    EXPECT_TRUE(n["x"].is_number() && n["y"].is_number());
  }
  EXPECT_EQ(members, largest["count"].get<std::size_t>());

  json hits = get_json("/api/models/search?q=INT_&limit=5");
  ASSERT_EQ(hits.size(), 5u);
  for (const auto& h : hits) EXPECT_EQ(h["name"].get<std::string>().rfind("int_", 0), 0u);
  const std::string id = hits[0]["id"];
  json focus = get_json("/api/models?focus=" + q(id) + "&depth=1");
  std::set<std::string> ids;
  for (const auto& n : focus["nodes"]) ids.insert(n["id"].get<std::string>());
  EXPECT_TRUE(ids.count(id));
  EXPECT_GT(ids.size(), 1u);
  EXPECT_LT(ids.size(), 200u);
  for (const auto& e : focus["edges"]) {
    EXPECT_TRUE(ids.count(e[0]) && ids.count(e[1])) << e.dump();
  }
  json all = get_json("/api/models?all=1");
  EXPECT_EQ(all["nodes"].size(), total);
  auto unknown = get("/api/models?focus=model.nope.nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
}

// Workflow runs and their steps, as `baliza workflow run` stored them (the example project).
TEST_F(UiHttp, WorkflowRunsAndTheirStepsAreShown) {
  const std::filesystem::path project = dir_->path() / "workforce";
  std::filesystem::copy(std::filesystem::path(BALIZA_SOURCE_DIR) / "projects/examples/workforce",
                        project, std::filesystem::copy_options::recursive);
  auto run = run_command(std::string(BALIZA_BIN) + " -q workflow run setup", project);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  port_ = start_ui({}, project);
  ASSERT_GT(port_, 0);
  json w = get_json("/api/workflows");
  ASSERT_TRUE(w["runs"].is_object()) << w.dump();
  ASSERT_EQ(w["runs"]["rows"].size(), 1u);
  const auto& cols = w["runs"]["columns"];
  auto col = [&](const char* name) {
    return static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  const auto& r = w["runs"]["rows"][0];
  EXPECT_EQ(r[col("workflow")], "setup");
  EXPECT_EQ(r[col("status")], "ok");
  const std::string run_id = r[col("run_id")];
  const int steps = std::stoi(r[col("steps")].get<std::string>());
  json detail = get_json("/api/workflows?run=" + q(run_id));
  ASSERT_EQ(detail["steps"]["rows"].size(), static_cast<std::size_t>(steps));
  EXPECT_EQ(detail["steps"]["rows"][0][0], "1");
  EXPECT_TRUE(detail["periods"].is_object() || detail["periods"].is_null());
}

// A workflow run killed mid-step (SIGKILL) still says `running` in its row; the view shows it
// `interrupted`, with why, as `baliza workflow status` does.
TEST_F(UiHttp, AKilledWorkflowRunIsShownInterrupted) {
  const std::filesystem::path project = dir_->path() / "workforce-killed";
  std::filesystem::copy(std::filesystem::path(BALIZA_SOURCE_DIR) / "projects/examples/workforce",
                        project, std::filesystem::copy_options::recursive);
  std::filesystem::remove_all(project / "data");
  std::ofstream(project / "models" / "slow_count.sql")
      << "{{ config(materialized='table') }}\n"
         "select sum(range) as n from range(1000000000000) where range % 7 = 3\n";
  std::ofstream(project / "workflows" / "slow.yml")
      << "steps:\n  - seed: census\n  - name: slow\n    build: slow_count\n";
  Spawned slow(project, {BALIZA_BIN, "workflow", "run", "slow"}, "slow");
  for (int i = 0; i < 1200 && slow.err().find("step 2/2 slow (build)") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(slow.err().find("step 2/2 slow (build)"), std::string::npos) << slow.err();
  const int pid = slow.pid();
  slow.signal(SIGKILL);
  slow.wait();

  port_ = start_ui({}, project);
  ASSERT_GT(port_, 0);
  json w = get_json("/api/workflows");
  ASSERT_TRUE(w["runs"].is_object()) << w.dump();
  ASSERT_EQ(w["runs"]["rows"].size(), 1u) << w.dump();
  const auto& cols = w["runs"]["columns"];
  auto col = [&](const char* name) {
    return static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  const auto& r = w["runs"]["rows"][0];
  EXPECT_EQ(r[col("status")], "interrupted") << w.dump();
  EXPECT_NE(
      r[col("message")].get<std::string>().find("process " + std::to_string(pid) + " is gone"),
      std::string::npos)
      << w.dump();
}

TEST_F(UiHttp, WritesFileReadsForeignHostsAreRefused) {
  port_ = start_ui();
  ASSERT_GT(port_, 0);
  for (std::string sql :
       {"insert into main.hostile values ('x')", "drop table main.hostile",
        "select * from read_text('/etc/hostname')", "select * from read_csv('/etc/passwd')",
        "attach 'x.duckdb' as x", "copy main.hostile to 'out.csv'", "install httpfs"}) {
    auto res = get("/api/query?sql=" + q(sql));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << sql << ": " << res->body;
    json body = json::parse(res->body, nullptr, false);
    EXPECT_EQ(body.value("exit_code", 0), 2) << sql;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_->path() / "out.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir_->path() / "x.duckdb"));
  auto count = get_json("/api/query?sql=" + q("select count(*) from main.hostile"));
  EXPECT_EQ(count["rows"][0][0], "1");

  auto rebinding = get("/api/summary", {{"Host", "attacker.example:80"}});
  ASSERT_TRUE(rebinding);
  EXPECT_EQ(rebinding->status, 403);
  auto page = get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/assets/app.js"), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  auto lib = get("/assets/cytoscape.min.js");
  ASSERT_TRUE(lib);
  EXPECT_EQ(lib->status, 200);
  EXPECT_GT(lib->body.size(), 100000u);
  EXPECT_EQ(get("/assets/../../etc/passwd")->status, 404);
}

TEST_F(UiHttp, TokenGuardsTheUiAndOtherAddressesNeedOne) {
  port_ = start_ui({"--token", "s3cret"});
  ASSERT_GT(port_, 0);
  EXPECT_EQ(get("/api/summary")->status, 401);
  EXPECT_EQ(get("/api/summary", {{"Authorization", "Bearer wrong"}})->status, 401);
  EXPECT_EQ(get("/api/summary", {{"Authorization", "Bearer s3cret"}})->status, 200);
  auto first = get("/?token=s3cret");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_NE(first->get_header_value("Set-Cookie").find("HttpOnly"), std::string::npos);
  EXPECT_EQ(get("/api/summary", {{"Cookie", "baliza_token=s3cret"}})->status, 200);

  auto refused =
      run_command(std::string(BALIZA_BIN) + " --db demo.duckdb ui --host 0.0.0.0", dir_->path());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--token"), std::string::npos) << refused.err;
}

// What a browser on this machine gets: the bytes as they are, with their length, whatever
// encodings it offers (httplib alone would brotli-compress at quality 11: seconds for the graph
// of a big project). ui/http_body.h; gzip for other clients is in unit_ui_tests.
TEST_F(UiHttp, ALoopbackBrowserGetsUncompressedBodiesWithTheirLength) {
  port_ = start_ui();
  ASSERT_GT(port_, 0);
  const httplib::Headers browser = {{"Accept-Encoding", "gzip, deflate, br, zstd"}};
  for (const char* path : {"/api/models", "/assets/cytoscape.min.js", "/", "/api/summary"}) {
    auto res = get(path, browser);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->get_header_value("Content-Encoding"), "") << path;
    EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(res->body.size())) << path;
  }
  auto models = get("/api/models", browser);
  ASSERT_TRUE(models);
  json graph = json::parse(models->body, nullptr, false);
  ASSERT_FALSE(graph.is_discarded());
  EXPECT_GT(graph["nodes"].size(), 10u);
  auto error = get("/api/models?focus=model.nope.nope", browser);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, 400);
  EXPECT_NE(error->body.find("model.nope.nope"), std::string::npos);
}

}  // namespace
}  // namespace baliza::testing
