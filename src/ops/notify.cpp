#include "ops/notify.h"

#include <future>
#include <thread>

#include "core/log.h"
#include "extract/http_post.h"

namespace baliza::ops {

bool parse_notify_when(const std::string& text, NotifyWhen& out) {
  if (text == "failure")
    out = NotifyWhen::kFailure;
  else if (text == "warnings")
    out = NotifyWhen::kWarnings;
  else if (text == "always")
    out = NotifyWhen::kAlways;
  else
    return false;
  return true;
}

bool parse_webhook_format(const std::string& text, WebhookFormat& out) {
  if (text == "auto")
    out = WebhookFormat::kAuto;
  else if (text == "slack")
    out = WebhookFormat::kSlack;
  else if (text == "discord")
    out = WebhookFormat::kDiscord;
  else if (text == "json")
    out = WebhookFormat::kJson;
  else
    return false;
  return true;
}

NotifyConfig notify_config(const Settings& s) {
  NotifyConfig c;
  c.urls = s.notify_webhooks;
  c.timeout_seconds = s.notify_timeout_seconds;
  // Settings were validated when read (core/config.cpp): these parse.
  parse_notify_when(s.notify_on, c.when);
  parse_webhook_format(s.notify_format, c.format);
  return c;
}

bool should_notify(const NotifyConfig& config, const RunOutcome& outcome) {
  if (!config.enabled()) return false;
  std::string status = outcome.status();
  switch (config.when) {
    case NotifyWhen::kAlways:
      return true;
    case NotifyWhen::kWarnings:
      return status != "success";
    case NotifyWhen::kFailure:
      return status == "failure";
  }
  return false;
}

std::vector<Delivery> send_notifications(const NotifyConfig& config, const RunOutcome& outcome) {
  std::vector<Delivery> out;
  if (!should_notify(config, outcome)) return out;
  std::vector<std::future<Delivery>> pending;
  for (const std::string& url : config.urls) {
    pending.push_back(std::async(std::launch::async, [&config, &outcome, url] {
      Delivery d;
      d.target = redact_url(url);
      try {
        std::string body = webhook_body(format_for(config.format, url), outcome);
        extract::PostResult r = extract::http_post(url, body, {"Content-Type: application/json"},
                                                   config.timeout_seconds);
        d.status = r.status;
        d.ok = r.status >= 200 && r.status < 300;
        if (!d.ok) {
          d.error = r.status == 0 ? r.error
                                  : "HTTP " + std::to_string(r.status) +
                                        (r.body.empty() ? "" : ": " + r.body.substr(0, 200));
        }
      } catch (const std::exception& e) {
        d.error = e.what();
      }
      return d;
    }));
  }
  for (auto& p : pending) out.push_back(p.get());
  for (const Delivery& d : out) {
    if (!d.ok) {
      log_warn("notification to " + d.target + " failed: " + d.error +
               " (the run's own result is unaffected)");
    }
  }
  return out;
}

}  // namespace baliza::ops
