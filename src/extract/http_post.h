// One blocking HTTP POST over libcurl's easy interface (for small JSON documents such as
// OpenLineage events; page fetching uses HttpClient). Thread-safe: each call has its own
// handle. Never throws for network problems: they come back as status 0 with curl's message.
// Throws only when libcurl itself cannot be loaded (curl_api()).
#pragma once

#include <string>
#include <vector>

namespace baliza::extract {

struct PostResult {
  long status = 0;    // HTTP status; 0 when no answer arrived
  std::string error;  // curl's message when status is 0
  std::string body;   // the answer's body (first 64 KiB)
};

// `timeout_seconds` bounds the whole transfer, connection included.
PostResult http_post(const std::string& url, const std::string& body,
                     const std::vector<std::string>& headers, double timeout_seconds);

}  // namespace baliza::extract
