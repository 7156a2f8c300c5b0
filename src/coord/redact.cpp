#include "coord/redact.h"

#include <algorithm>
#include <cctype>

namespace baliza::coord {
namespace {

bool is_uri(const std::string& s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A span of `url` holding a value, and whether it is a password (else a nested dbname).
struct Span {
  std::size_t begin, end;
  bool password;
};

// Values of the URI's userinfo password and query parameters password= / dbname=.
std::vector<Span> uri_spans(const std::string& url) {
  std::vector<Span> spans;
  const std::size_t start = url.find("://") + 3;
  // libpq reads user info up to the first '@' or '/' (so a password holds neither unencoded).
  const std::size_t stop = url.find_first_of("@/?", start);
  if (stop != std::string::npos && url[stop] == '@') {
    const std::size_t colon = url.find(':', start);
    if (colon < stop) spans.push_back({colon + 1, stop, true});
  }
  const std::size_t query = url.find('?', start);
  if (query == std::string::npos) return spans;
  for (std::size_t i = query + 1; i <= url.size();) {
    std::size_t amp = url.find('&', i);
    if (amp == std::string::npos) amp = url.size();
    const std::size_t eq = url.find('=', i);
    if (eq < amp) {
      const std::string key = percent_decode(url.substr(i, eq - i));
      if (key == "password") spans.push_back({eq + 1, amp, true});
      if (key == "dbname") spans.push_back({eq + 1, amp, false});
    }
    i = amp + 1;
  }
  return spans;
}

// Values of key=value pairs password and dbname (quoted values with backslash escapes).
std::vector<Span> conninfo_spans(const std::string& s) {
  std::vector<Span> spans;
  std::size_t i = 0;
  auto space = [&](std::size_t k) {
    return k < s.size() && std::isspace(static_cast<unsigned char>(s[k]));
  };
  while (i < s.size()) {
    while (space(i)) ++i;
    const std::size_t key_start = i;
    while (i < s.size() && s[i] != '=' && !space(i)) ++i;
    const std::string key = s.substr(key_start, i - key_start);
    while (space(i)) ++i;
    if (i >= s.size() || s[i] != '=') {
      if (i == key_start) ++i;  // not a pair: step on
      continue;
    }
    ++i;
    while (space(i)) ++i;
    std::size_t begin = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') i += s[i] == '\\' ? 2 : 1;
      i = std::min(i + 1, s.size());
    } else {
      while (i < s.size() && !space(i)) i += s[i] == '\\' ? 2 : 1;
      i = std::min(i, s.size());
    }
    if (key == "password") spans.push_back({begin, i, true});
    if (key == "dbname") spans.push_back({begin, i, false});
  }
  return spans;
}

std::vector<Span> spans_of(const std::string& url) {
  return is_uri(url) ? uri_spans(url) : conninfo_spans(url);
}

// The value a conninfo span holds, unquoted.
std::string unquote(std::string v) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') v = v.substr(1, v.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

bool nested(const std::string& value) {
  return is_uri(value) || value.find('=') != std::string::npos;
}

}  // namespace

std::string redact_url(const std::string& url) {
  std::string out = url;
  const std::vector<Span> spans = spans_of(url);
  // Right to left, so earlier offsets stay valid.
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    const std::string value = url.substr(it->begin, it->end - it->begin);
    if (it->password) {
      out.replace(it->begin, it->end - it->begin, "***");
    } else {
      const std::string inner = is_uri(url) ? percent_decode(value) : unquote(value);
      if (nested(inner) && inner != url) {
        const std::string redacted = redact_url(inner);
        if (redacted != inner) out.replace(it->begin, it->end - it->begin, "'" + redacted + "'");
      }
    }
  }
  return out;
}

std::vector<std::string> url_passwords(const std::string& url) {
  std::vector<std::string> out;
  for (const Span& s : spans_of(url)) {
    const std::string value = url.substr(s.begin, s.end - s.begin);
    if (s.password) {
      if (!value.empty()) out.push_back(value);
      const std::string plain = is_uri(url) ? percent_decode(value) : unquote(value);
      if (!plain.empty() && plain != value) out.push_back(plain);
    } else {
      const std::string inner = is_uri(url) ? percent_decode(value) : unquote(value);
      if (nested(inner) && inner != url) {
        for (std::string p : url_passwords(inner)) out.push_back(std::move(p));
      }
    }
  }
  return out;
}

std::string redact_text(std::string text, const std::string& url) {
  std::vector<std::string> secrets = url_passwords(url);
  // libpq quotes the words of a malformed string one by one ("missing = after <word>").
  for (std::size_t i = 0, n = secrets.size(); i < n; ++i) {
    std::size_t pos = 0;
    while (pos < secrets[i].size()) {
      const std::size_t end = std::min(secrets[i].find(' ', pos), secrets[i].size());
      if (end - pos >= 3 && end - pos < secrets[i].size()) {
        secrets.push_back(secrets[i].substr(pos, end - pos));
      }
      pos = end + 1;
    }
  }
  // Longest first, so a word never breaks up a whole password before it is replaced.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& secret : secrets) {
    for (std::size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace baliza::coord
