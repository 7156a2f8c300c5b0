// Notifications: at the end of a run (`run`, `build`, `extract`, a workflow, ...), a summary is
// POSTed to the webhooks of baliza.yml `notifications:` when the run failed, or had warnings,
// or always, as configured:
//
//   notifications:
//     webhook: https://hooks.slack.com/services/T000/B000/XXXX   # one URL, or a list of them
//     format: auto      # slack ({"text"}) | discord ({"content"}) | json (the summary object)
//                       # | auto: discord for discord.com / discordapp.com URLs, else slack
//     on: failure       # failure | warnings (failure or warnings) | always
//     timeout: 5        # seconds, the most a run's end waits for all webhooks together
//
// A webhook that is down, slow or answers an error never fails the run: each is POSTed from
// its own thread with the timeout, and what went wrong is printed on stderr (the URL shown
// without its path, which holds the webhook's secret). send_notifications never throws.
//
// The CLI sends one for each run-like command when it ends (cli/run_outcome.h fills the
// outcome: counts, first errors, warnings); a command that sends its own (a workflow, with its
// steps) calls send_notifications itself and tells the CLI it did.
//
// Threads: send_notifications may be called from any thread; it blocks for at most
// `timeout_seconds` (plus thread start-up).
#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "ops/notify_message.h"

namespace baliza::ops {

enum class NotifyWhen { kFailure, kWarnings, kAlways };

struct NotifyConfig {
  std::vector<std::string> urls;
  WebhookFormat format = WebhookFormat::kAuto;
  NotifyWhen when = NotifyWhen::kFailure;
  double timeout_seconds = 5;
  bool enabled() const { return !urls.empty(); }
};

// From baliza.yml `notifications:` (and its overrides: core/config.h).
NotifyConfig notify_config(const Settings& settings);
// Parse "failure|warnings|always" and "auto|slack|discord|json"; false when the text is neither.
bool parse_notify_when(const std::string& text, NotifyWhen& out);
bool parse_webhook_format(const std::string& text, WebhookFormat& out);

// Whether the outcome calls for a notification under `config` (false when no webhook).
bool should_notify(const NotifyConfig& config, const RunOutcome& outcome);

struct Delivery {
  std::string target;  // redact_url(url)
  bool ok = false;     // a 2xx answer
  long status = 0;     // HTTP status; 0 when no answer
  std::string error;   // why not ok
};

// POSTs the outcome to every webhook when should_notify() says so (else does nothing and
// returns no deliveries). Failures are printed on stderr; never throws.
std::vector<Delivery> send_notifications(const NotifyConfig& config, const RunOutcome& outcome);

}  // namespace baliza::ops
