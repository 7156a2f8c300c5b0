#include "lineage/openlineage_config.h"

#include <cstdlib>

#include "core/error.h"

namespace baliza::lineage {
namespace {

// "<file>:<line>:<col>", "OPENLINEAGE_URL", "--set openlineage...", for messages.
std::string origin(const SettingValue& v) {
  if (v.source.rfind("env ", 0) == 0) return v.source.substr(4);
  if (v.source == "--set") return "--set " + v.key;
  return v.source;
}

}  // namespace

OpenLineageConfig openlineage_config(const Settings& s) {
  OpenLineageConfig c;
  c.job_namespace = s.value("openlineage.namespace").value;
  c.url = s.value("openlineage.transport.url").value;
  c.endpoint = s.value("openlineage.transport.endpoint").value;
  c.api_key = s.value("openlineage.transport.api_key").value;
  c.timeout_seconds = std::atof(s.value("openlineage.transport.timeout").value.c_str());
  c.retries = std::atoi(s.value("openlineage.transport.retries").value.c_str());
  const SettingValue& file = s.value("openlineage.transport.log_file_path");
  c.file = file.value;
  const SettingValue& type = s.value("openlineage.transport.type");
  const SettingValue& url = s.value("openlineage.transport.url");
  if (type.value == "http") {
    c.transport = OpenLineageConfig::Transport::kHttp;
    c.source = origin(type);
    if (c.url.empty()) {
      throw usage_error("openlineage.transport.type is http at " + origin(type) +
                        " but there is no url; add openlineage.transport.url (e.g. "
                        "http://localhost:5000) or set OPENLINEAGE_URL");
    }
  } else if (type.value == "file") {
    c.transport = OpenLineageConfig::Transport::kFile;
    c.source = origin(type);
    if (c.file.empty()) {
      throw usage_error("openlineage.transport.type is file at " + origin(type) +
                        " but there is no log_file_path; add "
                        "openlineage.transport.log_file_path: target/openlineage.jsonl");
    }
  } else if (type.value.empty() && !c.url.empty()) {
    c.transport = OpenLineageConfig::Transport::kHttp;
    c.source = origin(url);
  } else if (type.value.empty() && !c.file.empty()) {
    c.transport = OpenLineageConfig::Transport::kFile;
    c.source = origin(file);
  }
  const SettingValue& disabled = s.value("openlineage.disabled");
  if (disabled.value == "true") {
    c.transport = OpenLineageConfig::Transport::kNone;
    c.source = origin(disabled);
  }
  return c;
}

std::string OpenLineageConfig::post_url() const {
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string path = endpoint;
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  return path.empty() ? base : base + "/" + path;
}

std::string OpenLineageConfig::describe() const {
  switch (transport) {
    case Transport::kHttp:
      return post_url();
    case Transport::kFile:
      return "file " + file.string();
    case Transport::kNone:
      break;
  }
  return "off";
}

OpenLineageConfig load_openlineage_config(const std::optional<std::filesystem::path>& baliza_yml,
                                          const EnvLookup& env) {
  if (!env) return openlineage_config(resolve_settings(std::nullopt, baliza_yml));
  Environment lookup;
  lookup.get = env;
  return openlineage_config(resolve_settings(std::nullopt, baliza_yml, lookup));
}

}  // namespace baliza::lineage
