// Keeping the coordinator's password out of every message, log line, lineage event and UI view.
//
// A coordinator URL is anything libpq takes: a URI (postgresql:// or postgres://, user:password@
// before the host, parameters such as ?password=... after it, percent-encoded) or key=value
// pairs (password = 'quoted value with \' escapes'), where dbname may itself hold a URI or
// key=value string. redact_url() returns the URL with every password value replaced by "***"
// and nothing else changed (a URL without a password comes back as it was, so it can key
// state, e.g. pull's watermark). redact_text() also replaces the URL's password values (raw
// and percent-decoded) wherever they appear in another text: libpq's own messages quote parts
// of a malformed connection string.
//
// Pure functions; no errors (an unparsable URL is redacted as far as it can be read).
#pragma once

#include <string>
#include <vector>

namespace baliza::coord {

// The URL with any password replaced by "***".
std::string redact_url(const std::string& url);
// The password values written in `url` (raw as written, and percent-decoded for a URI).
std::vector<std::string> url_passwords(const std::string& url);
// `text` with every password value of `url` replaced by "***".
std::string redact_text(std::string text, const std::string& url);

}  // namespace baliza::coord
