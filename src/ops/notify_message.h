// The bodies notifications POST (ops/notify.h): Slack's {"text": ...}, Discord's
// {"content": ...} (both the same summary for people, at most 1900 characters so Discord's 2000
// limit holds), or the outcome itself as JSON. Pure functions, any thread.
#pragma once

#include <string>

#include "ops/run_outcome.h"

namespace baliza::ops {

enum class WebhookFormat { kAuto, kSlack, kDiscord, kJson };

// The format used for `url` (auto resolved by its host).
WebhookFormat format_for(WebhookFormat configured, const std::string& url);
// The summary for people: status, command, duration, counts, first errors and warnings.
std::string summary_text(const RunOutcome& outcome);
// The JSON body POSTed in `format` (never kAuto).
std::string webhook_body(WebhookFormat format, const RunOutcome& outcome);
// "https://hooks.slack.com/…": the URL without its path and query (they hold secrets).
std::string redact_url(const std::string& url);

}  // namespace baliza::ops
