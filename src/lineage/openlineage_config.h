// Where OpenLineage events go, from the `openlineage.*` settings of core/setting_specs.h:
//
//   openlineage:                       # baliza.yml
//     namespace: pncp                  # job namespace (default "default")
//     disabled: false                  # true: no events whatever the transport says
//     transport:
//       type: http                     # http | file | none (default: http when url is set,
//                                      # file when log_file_path is, else none)
//       url: http://localhost:5000     # Marquez or any collector of the OpenLineage HTTP API
//       endpoint: api/v1/lineage       # the default
//       timeout: 5                     # seconds per POST, and the most close() waits at the end
//       retries: 2                     # extra attempts after a failed POST
//       api_key: ...                   # sent as a bearer token (prefer the environment)
//       log_file_path: target/openlineage.jsonl   # type file: one JSON event per line
//
// Each key is overridable like every setting: BALIZA_OPENLINEAGE__TRANSPORT__URL=...,
// `--set openlineage.transport.url=...`, and by the OpenLineage clients' own variables
// (OPENLINEAGE_URL, OPENLINEAGE_ENDPOINT, OPENLINEAGE_API_KEY, OPENLINEAGE_NAMESPACE,
// OPENLINEAGE_DISABLED=true, OPENLINEAGE__TRANSPORT__TYPE / __URL / __ENDPOINT / __TIMEOUT /
// __RETRIES / __LOG_FILE_PATH / __AUTH__API_KEY), below the BALIZA_ ones; `baliza config` shows
// them with their origin.
//
// Without any, events are off. Errors (a bad key or value, http without a url, file without a
// path) are usage errors naming baliza.yml:line:column, the variable or --set.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/config.h"

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

// From resolved settings (core/config.h). Relative file paths written in baliza.yml are
// relative to its folder (else the current folder).
OpenLineageConfig openlineage_config(const Settings& settings);

// Resolves the settings of `baliza_yml` (when given) with `env` (default: the process's
// environment) and the process's --set flags, then the above.
OpenLineageConfig load_openlineage_config(const std::optional<std::filesystem::path>& baliza_yml,
                                          const EnvLookup& env = nullptr);

}  // namespace baliza::lineage
