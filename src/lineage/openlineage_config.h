// Where OpenLineage events go, from baliza.yml's `openlineage:` section and the environment
// variables of the OpenLineage clients (the environment wins, as in those clients):
//
//   openlineage:                       # baliza.yml
//     namespace: pncp                  # job namespace (default "default")
//     transport:
//       type: http                     # http | file | none
//       url: http://localhost:5000     # Marquez or any collector of the OpenLineage HTTP API
//       endpoint: api/v1/lineage       # the default
//       timeout: 5                     # seconds per POST, and the most close() waits at the end
//       retries: 2                     # extra attempts after a failed POST
//       log_file_path: target/openlineage.jsonl   # type file: one JSON event per line
//
//   OPENLINEAGE_URL, OPENLINEAGE_ENDPOINT, OPENLINEAGE_API_KEY (sent as a bearer token),
//   OPENLINEAGE_NAMESPACE, OPENLINEAGE_DISABLED=true, and the client's nested form
//   OPENLINEAGE__TRANSPORT__TYPE / __URL / __ENDPOINT / __TIMEOUT / __LOG_FILE_PATH /
//   __AUTH__API_KEY.
//
// Without either, events are off. Errors (a bad key or value) are usage errors naming
// baliza.yml:line:column or the variable. The API key is never read from a committed file
// unless written there; prefer the environment.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace baliza::lineage {

struct OpenLineageConfig {
  enum class Transport { kNone, kFile, kHttp };
  Transport transport = Transport::kNone;
  std::string job_namespace = "default";
  std::string url;                          // http: scheme://host[:port][/prefix]
  std::string endpoint = "api/v1/lineage";  // http: path under url
  std::string api_key;                      // http: Authorization: Bearer <api_key>
  double timeout_seconds = 5;
  int retries = 2;
  std::filesystem::path file;          // file: JSON lines, appended
  std::size_t queue_capacity = 50000;  // events waiting to be sent; beyond it they are lost
  std::string source = "default";      // "baliza.yml:12", "OPENLINEAGE_URL", ... for messages

  bool enabled() const { return transport != Transport::kNone; }
  // The full POST URL: url + "/" + endpoint.
  std::string post_url() const;
  // "http://localhost:5000/api/v1/lineage" or "file target/openlineage.jsonl" or "off".
  std::string describe() const;
};

using EnvLookup = std::function<const char*(const char*)>;

// Reads baliza.yml (when given) then the environment. Relative file paths are relative to the
// folder of baliza.yml (else the current folder).
OpenLineageConfig load_openlineage_config(const std::optional<std::filesystem::path>& baliza_yml,
                                          const EnvLookup& env = nullptr);

}  // namespace baliza::lineage
