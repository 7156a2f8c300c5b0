// End-to-end: notifications a user relies on, against a webhook receiver on 127.0.0.1.
//   - a workflow that fails and one that ends with warnings each post their summary, in Slack
//     ({"text"}) and in Discord ({"content"}) form, naming the workflow, the step and the check;
//   - `baliza extract` posts the period's page counts (done / expected), tasks, 429s, retries;
//   - a webhook that never answers does not change the exit code, and the command returns
//     while the receiver still holds the request (bounded by notifications.timeout).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "pncp_sim/options.h"
#include "pncp_sim/simulator.h"
#include "support/baliza_cli.h"

namespace baliza {
namespace {
namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Records every POST to /hook/<name>; /slow holds its request until released (or 30 s).
class Receiver {
 public:
  Receiver() {
    server_.Post(R"(/hook/(\w+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      posts_.push_back({req.matches[1], req.body});
      res.set_content("ok", "text/plain");
    });
    server_.Post("/slow", [this](const httplib::Request&, httplib::Response& res) {
      slow_started_ = true;
      std::unique_lock lock(mutex_);
      released_cv_.wait_for(lock, std::chrono::seconds(30), [this] { return released_; });
      slow_answered_ = true;
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<std::pair<std::string, std::string>> posts() {
    std::lock_guard lock(mutex_);
    return posts_;
  }
  bool slow_started() const { return slow_started_; }
  bool slow_answered() const { return slow_answered_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
  std::vector<std::pair<std::string, std::string>> posts_;
  std::atomic<bool> slow_started_{false}, slow_answered_{false};
};

class WorkflowNotify : public testing::BalizaCli {
 protected:
  void SetUp() override {
    fs::copy(fs::path(BALIZA_SOURCE_DIR) / "projects/examples/workforce", dir.path(),
             fs::copy_options::recursive);
    fs::remove_all(dir / "data");
    fs::remove_all(dir / "target");
    write("workflows/failing.yml",
          "steps:\n  - seed: census\n  - validate:\n"
          "      - {name: tiny_census, row_count: census, min: 1, max: 10, severity: error}\n"
          "  - build: stg_census\n");
    write("workflows/warning.yml",
          "steps:\n  - seed: census\n  - validate:\n"
          "      - {name: small_census, row_count: census, max: 10, severity: warn}\n");
  }
  void write(const std::string& path, const std::string& content) {
    fs::path p = dir / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  testing::ProcessResult with_env(const std::string& env, const std::string& args) {
    return testing::run_command("env -u BALIZA_DB " + env + " " + BALIZA_BIN + " " + args,
                                dir.path());
  }
};

TEST_F(WorkflowNotify, AFailedAndAWarnedWorkflowPostTheirSummaryInSlackAndDiscordForm) {
  Receiver receiver;
  std::string env = "BALIZA_NOTIFICATIONS__WEBHOOK=" + receiver.url("/hook/slack") +
                    " BALIZA_NOTIFICATIONS__ON=warnings";
  auto failed = with_env(env, "--set notifications.format=slack workflow run failing");
  EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
  env = "BALIZA_NOTIFICATIONS__WEBHOOK=" + receiver.url("/hook/discord") +
        " BALIZA_NOTIFICATIONS__ON=warnings BALIZA_NOTIFICATIONS__FORMAT=discord";
  auto warned = with_env(env, "workflow run warning");
  EXPECT_EQ(warned.exit_code, 0) << warned.out << warned.err;
  // A clean run does not notify under on: warnings.
  auto clean = with_env(env, "workflow run warning --only seed");
  EXPECT_EQ(clean.exit_code, 0) << clean.err;

  auto posts = receiver.posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].first, "slack");
  auto slack = nlohmann::json::parse(posts[0].second);
  ASSERT_TRUE(slack.contains("text")) << posts[0].second;
  EXPECT_FALSE(slack.contains("content"));
  std::string text = slack["text"];
  EXPECT_TRUE(contains(text, "baliza workflow run failing: FAILED (exit 1")) << text;
  EXPECT_TRUE(contains(text, "steps error 1")) << text;
  EXPECT_TRUE(contains(text, "steps skipped 1")) << text;
  EXPECT_TRUE(contains(text, "tiny_census: census has 500 rows (expected 1..10)")) << text;

  EXPECT_EQ(posts[1].first, "discord");
  auto discord = nlohmann::json::parse(posts[1].second);
  ASSERT_TRUE(discord.contains("content")) << posts[1].second;
  EXPECT_FALSE(discord.contains("text"));
  std::string content = discord["content"];
  EXPECT_TRUE(contains(content, "baliza workflow run warning: WARNINGS (exit 0")) << content;
  EXPECT_TRUE(contains(content, "small_census: census has 500 rows (expected ..10)")) << content;
  EXPECT_LE(content.size(), 2000u);  // Discord's limit
}

TEST_F(WorkflowNotify, AWebhookThatNeverAnswersNeitherFailsNorHoldsTheRun) {
  Receiver receiver;
  auto r = with_env("BALIZA_NOTIFICATIONS__WEBHOOK=" + receiver.url("/slow") +
                        " BALIZA_NOTIFICATIONS__TIMEOUT=0.5",
                    "workflow run failing");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the workflow's own result
  EXPECT_TRUE(receiver.slow_started());
  // The command has returned while the receiver still holds the request: it did not wait for
  // the answer beyond its timeout.
  EXPECT_FALSE(receiver.slow_answered());
  EXPECT_TRUE(contains(r.err, "notification to http://127.0.0.1:")) << r.err;
  // A receiver that is down: same exit code, said on stderr.
  r = with_env("BALIZA_NOTIFICATIONS__WEBHOOK=http://127.0.0.1:1/down", "workflow run failing");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "failed")) << r.err;
}

class ExtractNotify : public testing::BalizaCli {};

TEST_F(ExtractNotify, TheSummaryCarriesPagesDoneAndExpectedTasksAnd429s) {
  pncp_sim::Options o;
  o.today = "20240320";
  o.volume.contratos_per_day = 30;
  // Every first request of a URL is throttled once (429, Retry-After 0), then served.
  o.faults = {pncp_sim::parse_fault("fail_first:count=1,status=429,endpoint=/v1/contratos")};
  pncp_sim::Simulator sim(o);
  sim.start();
  std::ofstream(dir / "endpoints.yaml") << R"(defaults:
  rate_limit: {requests_per_second: 2000, burst: 50}
  retry: {max_attempts: 4, base_backoff_ms: 5, max_backoff_ms: 50}
endpoints:
  - name: contratos
    page_size: 10
)";
  Receiver receiver;
  auto r = testing::run_command(
      "env -u BALIZA_DB BALIZA_NOTIFICATIONS__ON=always BALIZA_NOTIFICATIONS__FORMAT=json "
      "BALIZA_NOTIFICATIONS__WEBHOOK=" +
          receiver.url("/hook/json") + " " + BALIZA_BIN +
          " --db data/n.duckdb extract --range 2024-03-04:2024-03-05 --endpoint contratos "
          "--base-url " +
          sim.base_url() + " -q",
      dir.path());
  sim.stop();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto posts = receiver.posts();
  ASSERT_EQ(posts.size(), 1u) << r.err;
  auto j = nlohmann::json::parse(posts[0].second);
  const auto& counts = j["counts"];
  // Computed here from what the database holds, not from the summary.
  std::int64_t pages = std::stoll(scalar("data/n.duckdb",
                                         "select count(distinct (task_id, page_number)) from "
                                         "runtime.task_results"));
  std::int64_t tasks = std::stoll(scalar("data/n.duckdb",
                                         "select count(*) from "
                                         "planning.task_plan where status = "
                                         "'done'"));
  EXPECT_GE(pages, 6);  // 30 a day in pages of 10, two days
  EXPECT_EQ(counts["pages done"], pages) << counts.dump();
  EXPECT_EQ(counts["pages expected"], pages) << counts.dump();
  EXPECT_EQ(counts["pages stored this run"], pages) << counts.dump();
  EXPECT_EQ(counts["tasks done"], tasks) << counts.dump();
  EXPECT_EQ(counts["tasks planned"], tasks) << counts.dump();
  EXPECT_GE(counts["429s and throttles"].get<std::int64_t>(), pages) << counts.dump();
  EXPECT_TRUE(contains(j["text"], "pages done " + std::to_string(pages))) << j["text"];
}

}  // namespace
}  // namespace baliza
