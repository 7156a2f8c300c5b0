// Reads that never wait, for the lineage engine: while `baliza extract` holds the demo's
// database (a child process paced against the simulator in this process, on loopback),
// `baliza trace`, `baliza impact` and the UI's /api/trace and /api/impact are answered by that
// process through its read socket (the read procedure of ops/explain_request.h, in one
// read-only transaction) with the same answer as when nobody holds the file; a predicate that
// reads a file is refused there with exit code 2.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pncp_sim/options.h"
#include "pncp_sim/simulator.h"
#include "support/baliza_cli.h"
#include "support/spawned.h"

namespace baliza {
namespace {

using nlohmann::json;

struct Answer {
  int exit_code = -1;
  json result;
  std::string err;
};

// The model whose rows count the extraction's own tasks (it changes while an extraction runs).
constexpr const char* kCoverage = "marts.cobertura_extracao";

// result without the level of relation.
json without(json result, const std::string& relation) {
  json levels = json::array();
  for (json& l : result["levels"])
    if (l.value("relation", "") != relation) levels.push_back(std::move(l));
  result["levels"] = std::move(levels);
  result.erase("complete");  // an unknown level makes a result incomplete
  return result;
}

class ExplainWhileHeld : public testing::BalizaCli {
 protected:
  Answer run(const std::string& args) {
    auto r = baliza("--db data/demo.duckdb " + args + " --format json");
    return {r.exit_code, json::parse(r.out, nullptr, false), r.err};
  }
  // Starts `baliza ui --port 0` on the demo's database; returns its port (0 when it failed).
  int start_ui() {
    ui_ = std::make_unique<testing::Spawned>(
        dir.path(),
        std::vector<std::string>{BALIZA_BIN, "--db", "data/demo.duckdb", "ui", "--port", "0"},
        "ui");
    for (int i = 0; i < 600; ++i) {
      std::string out = ui_->out();
      auto at = out.find("http://127.0.0.1:");
      if (at != std::string::npos && out.find('/', at + 17) != std::string::npos)
        return std::stoi(out.substr(at + 17));
      if (!ui_->running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "baliza ui did not start: " << ui_->err();
    return 0;
  }
  json get_json(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(120, 0);
    auto res = client.Get(path.c_str());
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }
  static std::string q(const std::string& text) {
    return httplib::detail::encode_query_param(text);
  }

  std::unique_ptr<testing::Spawned> ui_;
  int port_ = 0;
};

TEST_F(ExplainWhileHeld, TraceAndImpactAreAnsweredByTheHolderAsWhenIdle) {
  auto demo = baliza("demo --mes 2024-02 --scale 0.2 -q");
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  const std::string key =
      scalar("data/demo.duckdb",
             "select numero_controle_pncp from marts.contratos_alteracoes order by 1 limit 1");
  ASSERT_FALSE(key.empty());
  const std::string where =
      "(mes, orgao_cnpj, modalidade_id, uf_sigla) = (select (mes, orgao_cnpj, modalidade_id, "
      "uf_sigla) from marts.contratacoes_mensal order by qtd_contratacoes desc, orgao_cnpj, "
      "modalidade_id, uf_sigla limit 1)";
  const std::vector<std::string> commands = {
      "trace contratos_alteracoes --where \"numero_controle_pncp = '" + key +
          "'\" --show-json --limit 3",
      "trace contratacoes_mensal --where \"" + where + "\" --limit 3",
      "impact --relation contratos_alteracoes --where \"numero_controle_pncp = '" + key +
          "'\" --limit 3",
  };

  // Nobody holds the file: each command opens it read-only and runs the engine itself.
  std::vector<Answer> idle;
  for (const std::string& c : commands) {
    idle.push_back(run(c));
    ASSERT_EQ(idle.back().exit_code, 0) << c << "\n" << idle.back().err;
    ASSERT_TRUE(idle.back().result.is_object()) << c;
  }
  std::string page;  // a raw page the key's trace reached
  for (const json& level : idle[0].result["levels"])
    if (level["kind"] == "raw page" && !level["sample"].empty())
      page = level["sample"][0]["payload_sha256"];
  ASSERT_FALSE(page.empty()) << idle[0].result.dump(2);
  idle.push_back(run("impact --page " + page.substr(0, 16) + " --limit 3"));
  ASSERT_NE(idle.back().exit_code, 2) << idle.back().err;
  ASSERT_GT(idle.back().result["levels"].size(), 1u) << idle.back().result.dump(2);

  port_ = start_ui();
  ASSERT_GT(port_, 0);
  const std::string ui_trace =
      "/api/trace?model=contratos_alteracoes&column=numero_controle_pncp&value=" + q(key) +
      "&limit=3";
  const std::string ui_impact = "/api/impact?page=" + page.substr(0, 16) + "&limit=3";
  json ui_trace_idle = get_json(ui_trace);
  json ui_impact_idle = get_json(ui_impact);
  ASSERT_TRUE(ui_trace_idle["levels"].is_array()) << ui_trace_idle.dump();

  // An extraction of another month holds the file, paced so that it is still running after
  // every read below (--wait: the UI lets the read-only file go when a writer waits for it).
  pncp_sim::Options o;
  o.today = "20240320";
  o.volume.scale = 0.2;
  pncp_sim::Simulator sim(o);
  sim.start();
  std::ofstream(dir / "endpoints.yaml") << R"(
defaults:
  rate_limit: {requests_per_second: 1, burst: 1}
endpoints:
  - name: contratos
    page_size: 10
)";
  testing::Spawned extract(
      dir.path(),
      {BALIZA_BIN, "--db", "data/demo.duckdb", "--wait=60", "extract", "--mes", "2024-01",
       "--endpoint", "contratos", "--base-url", sim.base_url(), "-q"},
      "extract");
  for (int i = 0; i < 600 && sim.stats().total_requests == 0 && extract.running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(extract.running()) << extract.err();
  ASSERT_GT(sim.stats().total_requests, 0u);
  ASSERT_TRUE(std::filesystem::exists(dir / "data" / "demo.duckdb.sock"));

  for (std::size_t i = 0; i < commands.size(); ++i) {
    Answer held = run(commands[i]);
    EXPECT_EQ(held.exit_code, idle[i].exit_code) << commands[i] << "\n" << held.err;
    EXPECT_EQ(held.result, idle[i].result) << commands[i];
  }
  // The page's impact reaches marts.cobertura_extracao, which counts the extraction's tasks: the
  // holder answers on what it has committed (its new plan makes that model's row capture stale),
  // and every other level is the same as when idle.
  Answer held = run("impact --page " + page.substr(0, 16) + " --limit 3");
  // (Incomplete, exit 1, when that model's rows became unknown; never an error.)
  EXPECT_LE(held.exit_code, 1) << held.err;
  EXPECT_NE(held.result.dump().find("row capture not used: planning.task_plan has"),
            std::string::npos)
      << held.result.dump(1);
  EXPECT_EQ(without(held.result, kCoverage), without(idle.back().result, kCoverage));
  // The UI reads through the extraction's socket, trace and impact included.
  json summary = get_json("/api/summary");
  EXPECT_NE(summary.value("source", "").find("process " + std::to_string(extract.pid())),
            std::string::npos)
      << summary.dump();
  EXPECT_EQ(get_json(ui_trace), ui_trace_idle);
  EXPECT_EQ(without(get_json(ui_impact), kCoverage), without(ui_impact_idle, kCoverage));
  // The holder checks the caller's predicate with the read guard.
  auto refused = baliza(
      "--db data/demo.duckdb trace contratacoes_mensal --where \"mes IN "
      "(SELECT 1 FROM read_text('/etc/passwd'))\"");
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("read_text"), std::string::npos) << refused.err;
  // A write still fails fast naming the holder, which was running all along.
  auto write = baliza("--db data/demo.duckdb capture contratacoes_mensal");
  EXPECT_EQ(write.exit_code, 3) << write.err;
  EXPECT_NE(write.err.find(std::to_string(extract.pid())), std::string::npos) << write.err;
  EXPECT_TRUE(extract.running()) << "the extraction ended before the reads; nothing was proved";
  extract.signal(SIGINT);
  extract.wait();
  sim.stop();
}

}  // namespace
}  // namespace baliza
