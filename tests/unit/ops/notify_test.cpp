#include "ops/notify.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>
#include <vector>

#include "unit/extract/loopback_server.h"

namespace baliza::ops {
namespace {

using extract::testing::closed_port;
using extract::testing::Gate;
using extract::testing::LoopbackServer;

// A webhook receiver on 127.0.0.1 that keeps every body it is sent.
class Receiver {
 public:
  explicit Receiver(int status = 200) {
    server_.server.Post(".*", [this, status](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      bodies_.push_back(req.body);
      paths_.push_back(req.path);
      content_types_.push_back(req.get_header_value("Content-Type"));
      res.status = status;
      res.set_content(status == 200 ? "ok" : "invalid_payload", "text/plain");
    });
    server_.start();
  }
  std::string url(const std::string& path) const { return server_.url(path); }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::string content_type(size_t i) {
    std::lock_guard lock(mutex_);
    return content_types_.at(i);
  }

 private:
  LoopbackServer server_;
  std::mutex mutex_;
  std::vector<std::string> bodies_, paths_, content_types_;
};

RunOutcome failed_build() {
  RunOutcome o;
  o.command = "build --full-refresh";
  o.exit_code = 1;
  o.seconds = 12.34;
  o.counts = {{"models ok", 12}, {"models failed", 1}};
  o.add_error("model.p.orders: Binder Error: column \"amount\" not found");
  o.add_warning("test not_null_orders_id: 3 failures");
  o.database = "data/baliza.duckdb";
  o.project = "shop";
  return o;
}

TEST(Notify, SlackAndDiscordBodiesCarryTheSummary) {
  Receiver receiver;
  NotifyConfig config;
  config.urls = {receiver.url("/services/T000/B000/secret")};
  config.format = WebhookFormat::kSlack;
  auto sent = send_notifications(config, failed_build());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].ok) << sent[0].error;
  EXPECT_EQ(sent[0].status, 200);
  EXPECT_EQ(sent[0].target.find("secret"), std::string::npos) << sent[0].target;

  config.format = WebhookFormat::kDiscord;
  sent = send_notifications(config, failed_build());
  ASSERT_EQ(receiver.bodies().size(), 2u);
  EXPECT_EQ(receiver.content_type(0), "application/json");

  auto slack = nlohmann::json::parse(receiver.bodies()[0]);
  auto discord = nlohmann::json::parse(receiver.bodies()[1]);
  ASSERT_TRUE(slack.contains("text"));
  EXPECT_FALSE(slack.contains("content"));
  ASSERT_TRUE(discord.contains("content"));
  EXPECT_FALSE(discord.contains("text"));
  std::string text = slack["text"];
  EXPECT_EQ(text, discord["content"].get<std::string>());
  EXPECT_NE(text.find("baliza build --full-refresh: FAILED (exit 1, 12.3 s)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("project shop, database data/baliza.duckdb"), std::string::npos) << text;
  EXPECT_NE(text.find("models ok 12, models failed 1"), std::string::npos) << text;
  EXPECT_NE(text.find("errors:\n- model.p.orders: Binder Error"), std::string::npos) << text;
  EXPECT_NE(text.find("warnings:\n- test not_null_orders_id: 3 failures"), std::string::npos);
}

TEST(Notify, JsonFormatSendsTheOutcome) {
  Receiver receiver;
  NotifyConfig config;
  config.urls = {receiver.url("/hook")};
  config.format = WebhookFormat::kJson;
  RunOutcome o = failed_build();
  for (int i = 0; i < 7; ++i) o.add_error("error " + std::to_string(i));
  send_notifications(config, o);
  ASSERT_EQ(receiver.bodies().size(), 1u);
  auto j = nlohmann::json::parse(receiver.bodies()[0]);
  EXPECT_EQ(j["status"], "failure");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["counts"]["models failed"], 1);
  EXPECT_EQ(j["errors"].size(), RunOutcome::kKept);
  EXPECT_EQ(j["more_errors"], 3);
  EXPECT_EQ(j["command"], "build --full-refresh");
}

TEST(Notify, WhenToNotifyFollowsTheConfiguration) {
  Receiver receiver;
  NotifyConfig config;
  config.urls = {receiver.url("/hook")};
  RunOutcome ok;
  ok.command = "run --latest";
  RunOutcome warned = ok;
  warned.add_warning("contratos: 3 short pages");

  config.when = NotifyWhen::kFailure;
  EXPECT_TRUE(send_notifications(config, ok).empty());
  EXPECT_TRUE(send_notifications(config, warned).empty());
  EXPECT_EQ(send_notifications(config, failed_build()).size(), 1u);
  config.when = NotifyWhen::kWarnings;
  EXPECT_TRUE(send_notifications(config, ok).empty());
  EXPECT_EQ(send_notifications(config, warned).size(), 1u);
  config.when = NotifyWhen::kAlways;
  EXPECT_EQ(send_notifications(config, ok).size(), 1u);
  auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_NE(bodies[1].find("baliza run --latest: WARNINGS (exit 0"), std::string::npos);
  EXPECT_NE(bodies[2].find("baliza run --latest: OK (exit 0"), std::string::npos);
}

TEST(Notify, ADownOrSlowOrFailingWebhookIsReportedNeverThrown) {
  Receiver failing(500);
  LoopbackServer slow;
  Gate gate;
  slow.server.Post(".*", [&gate](const httplib::Request&, httplib::Response& res) {
    gate.wait();  // answers only when the test ends
    res.set_content("late", "text/plain");
  });
  slow.start();
  NotifyConfig config;
  config.timeout_seconds = 0.5;
  config.urls = {"http://127.0.0.1:" + std::to_string(closed_port()) + "/hook", slow.url("/hook"),
                 failing.url("/hook")};
  auto started = std::chrono::steady_clock::now();
  std::vector<Delivery> sent;
  EXPECT_NO_THROW(sent = send_notifications(config, failed_build()));
  auto took = std::chrono::steady_clock::now() - started;
  gate.open();
  ASSERT_EQ(sent.size(), 3u);
  for (const Delivery& d : sent) EXPECT_FALSE(d.ok) << d.target;
  EXPECT_EQ(sent[0].status, 0);
  EXPECT_NE(sent[0].error.find("onnect"), std::string::npos) << sent[0].error;
  EXPECT_EQ(sent[1].status, 0);
  EXPECT_NE(sent[1].error.find("imeout"), std::string::npos) << sent[1].error;
  EXPECT_EQ(sent[2].status, 500);
  EXPECT_NE(sent[2].error.find("HTTP 500: invalid_payload"), std::string::npos) << sent[2].error;
  // The slow webhook held its answer for up to 20 s: the run's end did not wait for it.
  EXPECT_LT(took, std::chrono::seconds(15));
}

TEST(Notify, FormatFollowsTheHostAndUrlsAreRedacted) {
  EXPECT_EQ(format_for(WebhookFormat::kAuto, "https://discord.com/api/webhooks/1/abc"),
            WebhookFormat::kDiscord);
  EXPECT_EQ(format_for(WebhookFormat::kAuto, "https://ptb.discordapp.com/api/webhooks/1/abc"),
            WebhookFormat::kDiscord);
  EXPECT_EQ(format_for(WebhookFormat::kAuto, "https://hooks.slack.com/services/T/B/X"),
            WebhookFormat::kSlack);
  EXPECT_EQ(format_for(WebhookFormat::kAuto, "https://notdiscord.com/x"), WebhookFormat::kSlack);
  EXPECT_EQ(format_for(WebhookFormat::kJson, "https://discord.com/x"), WebhookFormat::kJson);
  EXPECT_EQ(redact_url("https://hooks.slack.com/services/T/B/X"), "https://hooks.slack.com/…");
  EXPECT_EQ(redact_url("http://user:pw@127.0.0.1:9/x?y"), "http://127.0.0.1:9/…");
  // Discord refuses content over 2000 characters.
  RunOutcome big = failed_build();
  for (int i = 0; i < 5; ++i) big.add_error(std::string(1000, 'x'));
  EXPECT_LE(summary_text(big).size(), 1905u);
}

}  // namespace
}  // namespace baliza::ops
