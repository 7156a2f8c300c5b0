#include "ops/notify_message.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace baliza::ops {
namespace {

const size_t kMaxText = 1900;  // Discord refuses content beyond 2000 characters
const size_t kMaxLine = 300;   // one error or warning

std::string clip(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 start
  return s.substr(0, cut) + "…";
}

std::string lower_host(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (auto colon = host.rfind(':');
      colon != std::string::npos && host.find(']') == std::string::npos)
    host = host.substr(0, colon);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

bool host_is(const std::string& host, const std::string& domain) {
  return host == domain || (host.size() > domain.size() && host.ends_with("." + domain));
}

}  // namespace

std::string RunOutcome::status() const {
  if (exit_code != 0 || !errors.empty()) return "failure";
  if (!warnings.empty()) return "warnings";
  return "success";
}

void RunOutcome::add_error(const std::string& message) {
  if (errors.size() < kKept) {
    errors.push_back(message);
  } else {
    ++more_errors;
  }
}

void RunOutcome::add_warning(const std::string& message) {
  if (warnings.size() < kKept) {
    warnings.push_back(message);
  } else {
    ++more_warnings;
  }
}

WebhookFormat format_for(WebhookFormat configured, const std::string& url) {
  if (configured != WebhookFormat::kAuto) return configured;
  std::string host = lower_host(url);
  return host_is(host, "discord.com") || host_is(host, "discordapp.com") ? WebhookFormat::kDiscord
                                                                         : WebhookFormat::kSlack;
}

std::string summary_text(const RunOutcome& o) {
  std::string status = o.status();
  std::string head = status == "failure" ? "FAILED" : status == "warnings" ? "WARNINGS" : "OK";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f s", o.seconds);
  std::string text = "baliza " + o.command + ": " + head + " (exit " + std::to_string(o.exit_code) +
                     ", " + seconds + ")";
  std::string where;
  if (!o.project.empty()) where += "project " + o.project;
  if (!o.database.empty())
    where += (where.empty() ? "" : ", ") + std::string("database ") + o.database;
  if (!o.host.empty()) where += (where.empty() ? "" : ", ") + std::string("on ") + o.host;
  if (!where.empty()) text += "\n" + where;
  if (!o.counts.empty()) {
    std::string counts;
    for (const auto& [what, n] : o.counts) {
      counts += (counts.empty() ? "" : ", ") + what + " " + std::to_string(n);
    }
    text += "\n" + counts;
  }
  auto list = [&](const char* title, const std::vector<std::string>& items, int64_t more) {
    if (items.empty()) return;
    text += std::string("\n") + title + ":";
    for (const auto& item : items) text += "\n- " + clip(item, kMaxLine);
    if (more > 0) text += "\n- ... and " + std::to_string(more) + " more";
  };
  list("errors", o.errors, o.more_errors);
  list("warnings", o.warnings, o.more_warnings);
  return clip(text, kMaxText);
}

std::string webhook_body(WebhookFormat format, const RunOutcome& o) {
  // dump() with `replace`: a message that is not valid UTF-8 never aborts the notification.
  auto dump = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  if (format == WebhookFormat::kDiscord) return dump({{"content", summary_text(o)}});
  if (format != WebhookFormat::kJson) return dump({{"text", summary_text(o)}});
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& [what, n] : o.counts) counts[what] = n;
  return dump({{"command", o.command},
               {"status", o.status()},
               {"exit_code", o.exit_code},
               {"seconds", o.seconds},
               {"counts", counts},
               {"errors", o.errors},
               {"more_errors", o.more_errors},
               {"warnings", o.warnings},
               {"more_warnings", o.more_warnings},
               {"database", o.database},
               {"project", o.project},
               {"host", o.host},
               {"text", summary_text(o)}});
}

std::string redact_url(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string origin = url.substr(0, end == std::string::npos ? url.size() : end);
  if (auto at = origin.find('@', start); at != std::string::npos) {
    origin = origin.substr(0, start) + origin.substr(at + 1);  // no user:password either
  }
  return end == std::string::npos ? origin : origin + "/…";
}

}  // namespace baliza::ops
