// `baliza config` (effective settings and their sources), environment and --set overrides, and
// the webhook notification at the end of a failed run, against a receiver on 127.0.0.1.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

namespace fs = std::filesystem;

class ConfigCli : public testing::BalizaCli {
 protected:
  void write(const std::string& path, const std::string& text) {
    fs::create_directories((dir / path).parent_path());
    std::ofstream(dir / path) << text;
  }
  // `baliza <args>` with extra environment assignments ("A=1 B=2").
  testing::ProcessResult with_env(const std::string& env, const std::string& args) {
    return testing::run_command("env -u BALIZA_DB " + env + " " + BALIZA_BIN + " " + args,
                                dir.path());
  }
};

TEST_F(ConfigCli, PrintsEachValueAndWhereItCameFrom) {
  write("baliza.yml", "name: p\ncheckpoints:\n  keep: 9\nextract:\n  concurrency: 3\n");
  auto r = with_env("BALIZA_DUCKDB__THREADS=2",
                    "--set extract.concurrency=6 --set checkpoints.keep=4 config --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> by_key;
  for (const auto& item : j["settings"]) by_key[item["key"]] = item;
  EXPECT_EQ(by_key["checkpoints.keep"]["value"], "4");
  EXPECT_EQ(by_key["checkpoints.keep"]["source"], "--set");
  EXPECT_EQ(by_key["duckdb.threads"]["value"], "2");
  EXPECT_EQ(by_key["duckdb.threads"]["source"], "env BALIZA_DUCKDB__THREADS");
  EXPECT_EQ(by_key["extract.concurrency"]["value"], "6");
  EXPECT_EQ(by_key["extract.concurrency"]["source"], "--set");
  EXPECT_EQ(by_key["checkpoints.max_age_days"]["source"], "default");
  EXPECT_EQ(by_key["checkpoints.max_age_days"]["env"], "BALIZA_CHECKPOINTS__MAX_AGE_DAYS");

  auto table = baliza("config");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find((dir / "baliza.yml").string() + ":3:9"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("checkpoints.keep"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("BALIZA_EXTRACT__CONCURRENCY"), std::string::npos) << table.out;
}

TEST_F(ConfigCli, BadValuesAndUnknownVariablesAreUsageErrors) {
  write("baliza.yml", "name: p\nnotifications:\n  on: sometimes\n");
  auto r = baliza("config");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("notifications.on at " + (dir / "baliza.yml").string() + ":3:7"),
            std::string::npos)
      << r.err;
  write("baliza.yml", "name: p\n");
  // A misspelt variable is ignored with a warning (a stray variable never stops a run).
  r = with_env("BALIZA_CHECKPOINT__KEEP=3", "config");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warn: unknown setting variable BALIZA_CHECKPOINT__KEEP is ignored; did "
                       "you mean BALIZA_CHECKPOINTS__KEEP"),
            std::string::npos)
      << r.err;
  r = with_env("BALIZA_BUDGETS__MAX_ESTIMATED_ROWS=many", "config");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("budgets.max_estimated_rows at BALIZA_BUDGETS__MAX_ESTIMATED_ROWS is "
                       "'many'"),
            std::string::npos)
      << r.err;
  r = baliza("--set openlineage.transport.timeout=0 config");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("openlineage.transport.timeout at --set openlineage.transport.timeout is "
                       "'0'"),
            std::string::npos)
      << r.err;
  r = with_env("BALIZA_DUCKDB__THREADS=lots", "query \"select 1\"");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("BALIZA_DUCKDB__THREADS is 'lots'"), std::string::npos) << r.err;
  r = baliza("--set raw_store.zstd_level=99 query \"select 1\"");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("expected a whole number from 1 to 19"), std::string::npos) << r.err;
}

// `baliza config` names each key's older variables too, and an empty --set value or variable
// clears what baliza.yml says (the key's default), shown as such; commands follow it.
TEST_F(ConfigCli, ListsOlderVariablesAndAnEmptyOverrideClearsTheFile) {
  write("baliza.yml",
        "name: p\ncoordinator: postgresql://nobody@127.0.0.1:1/none\nduckdb:\n  threads: 3\n");
  auto r = with_env("-u BALIZA_COORDINATOR_URL -u BALIZA_THREADS -u BALIZA_DUCKDB__THREADS",
                    "config --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> by_key;
  for (const auto& item : j["settings"]) by_key[item["key"]] = item;
  EXPECT_EQ(by_key["duckdb.threads"]["older_env"], nlohmann::json::array({"BALIZA_THREADS"}));
  EXPECT_EQ(by_key["openlineage.transport.url"]["older_env"],
            nlohmann::json::array({"OPENLINEAGE__TRANSPORT__URL", "OPENLINEAGE_URL"}));
  EXPECT_EQ(by_key["checkpoints.keep"]["older_env"], nlohmann::json::array());
  EXPECT_EQ(by_key["coordinator"]["value"], "postgresql://nobody@127.0.0.1:1/none");

  auto table = with_env("-u BALIZA_COORDINATOR_URL", "config --format csv");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("key,value,source,env,older env"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("BALIZA_DUCKDB__THREADS,BALIZA_THREADS"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("\"OPENLINEAGE__TRANSPORT__URL, OPENLINEAGE_URL\""), std::string::npos)
      << table.out;

  // With the coordinator of baliza.yml (down), pull fails; cleared, it is a local-only project.
  auto down = with_env("-u BALIZA_COORDINATOR_URL", "pull");
  EXPECT_EQ(down.exit_code, 3) << down.out << down.err;
  auto cleared = with_env("-u BALIZA_COORDINATOR_URL", "--set coordinator= pull");
  EXPECT_EQ(cleared.exit_code, 2) << cleared.out << cleared.err;
  EXPECT_NE(cleared.err.find("coordinator"), std::string::npos) << cleared.err;
  EXPECT_EQ(cleared.err.find("127.0.0.1:1"), std::string::npos) << cleared.err;

  r = with_env("-u BALIZA_THREADS BALIZA_COORDINATOR_URL= BALIZA_DUCKDB__THREADS=",
               "--set checkpoints.keep= config --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  by_key.clear();
  for (const auto& item : j["settings"]) by_key[item["key"]] = item;
  EXPECT_EQ(by_key["coordinator"]["value"], "");
  EXPECT_EQ(by_key["coordinator"]["source"], "default (cleared by env BALIZA_COORDINATOR_URL)");
  EXPECT_EQ(by_key["duckdb.threads"]["value"], "");
  EXPECT_EQ(by_key["duckdb.threads"]["source"], "default (cleared by env BALIZA_DUCKDB__THREADS)");
  EXPECT_EQ(by_key["checkpoints.keep"]["value"], "5");
  EXPECT_EQ(by_key["checkpoints.keep"]["source"], "default (cleared by --set)");
}

// The openlineage: section is made of settings too: --set and BALIZA_OPENLINEAGE__... choose
// where the events go, and `baliza config` says so (the API key masked).
TEST_F(ConfigCli, OpenLineageSettingsAreOverriddenLikeAnyOther) {
  write("models/one.sql", "select 1 as x\n");
  write("baliza.yml", "name: shop\nopenlineage:\n  namespace: from_file\n");
  auto r = with_env(
      "-u OPENLINEAGE_URL -u OPENLINEAGE_DISABLED -u OPENLINEAGE_NAMESPACE "
      "-u OPENLINEAGE__TRANSPORT__LOG_FILE_PATH "
      "BALIZA_OPENLINEAGE__NAMESPACE=from_env",
      "--set openlineage.transport.log_file_path=ev.jsonl build");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(dir / "ev.jsonl");
  std::string line;
  int events = 0;
  while (std::getline(in, line)) {
    auto e = nlohmann::json::parse(line);
    EXPECT_EQ(e["job"]["namespace"], "from_env") << line;
    ++events;
  }
  EXPECT_GE(events, 4);  // the command and the model, each START and COMPLETE
  auto c = with_env("-u OPENLINEAGE_API_KEY BALIZA_OPENLINEAGE__TRANSPORT__API_KEY=s3cret",
                    "--set openlineage.transport.url=http://127.0.0.1:9 config -f json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out.find("s3cret"), std::string::npos) << c.out;
  auto j = nlohmann::json::parse(c.out);
  std::map<std::string, nlohmann::json> by_key;
  for (const auto& item : j["settings"]) by_key[item["key"]] = item;
  EXPECT_EQ(by_key["openlineage.transport.api_key"]["value"], "***");
  EXPECT_EQ(by_key["openlineage.transport.api_key"]["source"],
            "env BALIZA_OPENLINEAGE__TRANSPORT__API_KEY");
  EXPECT_EQ(by_key["openlineage.transport.url"]["source"], "--set");
  EXPECT_EQ(by_key["openlineage.namespace"]["source"], (dir / "baliza.yml").string() + ":3:14");
  EXPECT_EQ(by_key["openlineage.namespace"]["env"], "BALIZA_OPENLINEAGE__NAMESPACE");
  EXPECT_EQ(by_key["budgets.max_estimated_rows"]["env"], "BALIZA_BUDGETS__MAX_ESTIMATED_ROWS");
}

TEST_F(ConfigCli, AFailedBuildNotifiesAndADownWebhookDoesNotChangeTheExitCode) {
  httplib::Server server;
  std::mutex mutex;
  std::vector<std::string> bodies;
  server.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    bodies.push_back(req.body);
    res.set_content("ok", "text/plain");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  write("models/good.sql", "select 1 as x\n");
  write("models/bad.sql", "select * from no_such_table\n");
  write("baliza.yml", "name: shop\nnotifications:\n  webhook: http://127.0.0.1:" +
                          std::to_string(port) + "/hook\n  format: discord\n");
  auto ok = baliza("build -s good");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  auto failed = baliza("build");
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  // A receiver that is down: the run's own exit code stays, the failure is said on stderr.
  auto down = with_env("BALIZA_NOTIFICATIONS__WEBHOOK=http://127.0.0.1:1/hook", "build");
  server.stop();
  thread.join();
  EXPECT_EQ(down.exit_code, 1) << down.err;
  EXPECT_NE(down.err.find("notification to http://127.0.0.1:1/… failed"), std::string::npos)
      << down.err;

  ASSERT_EQ(bodies.size(), 1u) << "only the failed run notifies (on: failure)";
  auto j = nlohmann::json::parse(bodies[0]);
  std::string text = j["content"];
  EXPECT_NE(text.find("baliza build: FAILED (exit 1"), std::string::npos) << text;
  EXPECT_NE(text.find("model.shop.bad"), std::string::npos) << text;
  EXPECT_NE(text.find("no_such_table"), std::string::npos) << text;
  EXPECT_NE(text.find("failed 1"), std::string::npos) << text;
}

}  // namespace
}  // namespace baliza
