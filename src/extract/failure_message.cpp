#include "extract/failure_message.h"

#include <nlohmann/json.hpp>

namespace baliza::extract {

namespace {

// The <title> of an HTML body, when it has a short one.
std::string html_title(const std::string& body) {
  const size_t at = body.find("<title>");
  if (at == std::string::npos) return {};
  const size_t from = at + 7;
  const size_t to = body.find("</title>", from);
  if (to == std::string::npos || to - from >= 200) return {};
  return body.substr(from, to - from);
}

}  // namespace

std::string failure_message(const PageOutcome& o) {
  // A redirect that was not followed: the engine's reason says where it pointed.
  if (o.http_status >= 300 && o.http_status < 400 && !o.last_error.empty()) return o.last_error;
  // A 2xx that is not a page (an HTML error page served with 200): the reason, and the page's
  // own title when it has one.
  if (o.http_status >= 200 && o.http_status < 300 && !o.last_error.empty()) {
    const std::string title = html_title(o.body);
    return title.empty() ? o.last_error : o.last_error + "; the body is an HTML page: " + title;
  }
  if (!o.body.empty()) {
    const auto json = nlohmann::json::parse(o.body, nullptr, false);
    if (json.is_object()) {
      for (const char* key : {"message", "error", "detail"}) {
        if (json.contains(key) && json[key].is_string()) {
          return "HTTP " + std::to_string(o.http_status) + ": " + json[key].get<std::string>();
        }
      }
    }
    if (o.http_status >= 400 && o.body.find("<title>") != std::string::npos) {
      const size_t from = o.body.find("<title>") + 7;  // an HTML error page: its title says it
      const size_t to = o.body.find("</title>", from);
      if (to != std::string::npos && to - from < 200) {
        return "HTTP " + std::to_string(o.http_status) + ": " + o.body.substr(from, to - from);
      }
    }
    if (o.http_status >= 400) {
      std::string text;  // one line, whitespace collapsed, at most 200 chars
      for (char ch : o.body) {
        const bool space = ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ';
        if (space && (text.empty() || text.back() == ' ')) continue;
        text += space ? ' ' : ch;
        if (text.size() >= 200) break;
      }
      return "HTTP " + std::to_string(o.http_status) + ": " + text;
    }
  }
  if (!o.last_error.empty()) return o.last_error;
  return o.http_status ? "HTTP " + std::to_string(o.http_status) : std::string("no answer");
}

}  // namespace baliza::extract
