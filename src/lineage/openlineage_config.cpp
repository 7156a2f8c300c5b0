#include "lineage/openlineage_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "core/error.h"

namespace baliza::lineage {
namespace {

std::string where(const std::filesystem::path& file, const YAML::Mark& mark) {
  return file.string() + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

OpenLineageConfig::Transport parse_type(const std::string& value, const std::string& at) {
  if (value == "http") return OpenLineageConfig::Transport::kHttp;
  if (value == "file") return OpenLineageConfig::Transport::kFile;
  if (value == "none" || value == "noop") return OpenLineageConfig::Transport::kNone;
  throw usage_error("OpenLineage transport type '" + value + "' at " + at +
                    " is not supported; use http, file or none");
}

double parse_timeout(const std::string& value, const std::string& at) {
  char* end = nullptr;
  double seconds = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !(seconds > 0) || seconds > 600) {
    throw usage_error("OpenLineage timeout '" + value + "' at " + at +
                      " must be a number of seconds between 0 and 600, e.g. 5");
  }
  return seconds;
}

int parse_retries(const std::string& value, const std::string& at) {
  char* end = nullptr;
  long n = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || n < 0 || n > 10) {
    throw usage_error("OpenLineage retries '" + value + "' at " + at +
                      " must be a whole number from 0 to 10");
  }
  return static_cast<int>(n);
}

void check_url(const std::string& url, const std::string& at) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw usage_error("OpenLineage url '" + url + "' at " + at +
                      " must start with http:// or https://, e.g. http://localhost:5000");
  }
}

std::string scalar(const YAML::Node& node, const std::filesystem::path& file,
                   const std::string& key) {
  if (!node.IsScalar()) {
    throw usage_error("openlineage." + key + " at " + where(file, node.Mark()) +
                      " must be a single value");
  }
  return node.Scalar();
}

void apply_transport(OpenLineageConfig& c, const YAML::Node& t, const std::filesystem::path& file) {
  if (!t.IsMap()) {
    throw usage_error("openlineage.transport at " + where(file, t.Mark()) +
                      " must be a mapping (type, url, endpoint, timeout, retries, log_file_path)");
  }
  std::filesystem::path base = file.parent_path();
  for (const auto& item : t) {
    std::string key = item.first.Scalar();
    std::string at = where(file, item.second.Mark());
    std::string value = scalar(item.second, file, "transport." + key);
    if (key == "type") {
      c.transport = parse_type(value, at);
    } else if (key == "url") {
      check_url(value, at);
      c.url = value;
    } else if (key == "endpoint") {
      c.endpoint = value;
    } else if (key == "timeout") {
      c.timeout_seconds = parse_timeout(value, at);
    } else if (key == "retries") {
      c.retries = parse_retries(value, at);
    } else if (key == "api_key") {
      c.api_key = value;
    } else if (key == "log_file_path" || key == "file") {
      c.file =
          std::filesystem::path(value).is_absolute() ? std::filesystem::path(value) : base / value;
    } else {
      throw usage_error("unknown key openlineage.transport." + key + " at " +
                        where(file, item.first.Mark()) +
                        "; known keys: type, url, endpoint, timeout, retries, api_key, "
                        "log_file_path");
    }
  }
  c.source = where(file, t.Mark());
}

void apply_file(OpenLineageConfig& c, const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception&) {
    return;  // core/config.cpp reports YAML errors of baliza.yml with their position
  }
  if (!root.IsMap() || !root["openlineage"]) return;
  YAML::Node ol = root["openlineage"];
  if (!ol.IsMap()) {
    throw usage_error("openlineage at " + where(file, ol.Mark()) +
                      " must be a mapping (namespace, transport)");
  }
  for (const auto& item : ol) {
    std::string key = item.first.Scalar();
    if (key == "namespace") {
      c.job_namespace = scalar(item.second, file, key);
    } else if (key == "transport") {
      apply_transport(c, item.second, file);
    } else {
      throw usage_error("unknown key openlineage." + key + " at " + where(file, item.first.Mark()) +
                        "; known keys: namespace, transport");
    }
  }
  if (c.transport == OpenLineageConfig::Transport::kHttp && c.url.empty()) {
    throw usage_error("openlineage.transport at " + c.source +
                      " has type http but no url; add url: http://host:port");
  }
  if (c.transport == OpenLineageConfig::Transport::kFile && c.file.empty()) {
    throw usage_error("openlineage.transport at " + c.source +
                      " has type file but no log_file_path; add log_file_path: "
                      "target/openlineage.jsonl");
  }
}

void apply_env(OpenLineageConfig& c, const EnvLookup& env) {
  auto get = [&](const char* name) -> std::optional<std::string> {
    const char* v = env(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  auto first = [&](const char* a,
                   const char* b) -> std::optional<std::pair<std::string, std::string>> {
    if (auto v = get(a)) return std::make_pair(*v, std::string(a));
    if (auto v = get(b)) return std::make_pair(*v, std::string(b));
    return std::nullopt;
  };
  if (auto ns = get("OPENLINEAGE_NAMESPACE")) c.job_namespace = *ns;
  if (auto url = first("OPENLINEAGE__TRANSPORT__URL", "OPENLINEAGE_URL")) {
    check_url(url->first, url->second);
    c.url = url->first;
    c.transport = OpenLineageConfig::Transport::kHttp;
    c.source = url->second;
  }
  if (auto e = first("OPENLINEAGE__TRANSPORT__ENDPOINT", "OPENLINEAGE_ENDPOINT")) {
    c.endpoint = e->first;
  }
  if (auto k = first("OPENLINEAGE__TRANSPORT__AUTH__API_KEY", "OPENLINEAGE_API_KEY")) {
    c.api_key = k->first;
  }
  if (auto t = get("OPENLINEAGE__TRANSPORT__TIMEOUT")) {
    c.timeout_seconds = parse_timeout(*t, "OPENLINEAGE__TRANSPORT__TIMEOUT");
  }
  if (auto r = get("OPENLINEAGE__TRANSPORT__RETRIES")) {
    c.retries = parse_retries(*r, "OPENLINEAGE__TRANSPORT__RETRIES");
  }
  if (auto f = get("OPENLINEAGE__TRANSPORT__LOG_FILE_PATH")) {
    c.file = *f;
    if (!get("OPENLINEAGE__TRANSPORT__TYPE")) c.transport = OpenLineageConfig::Transport::kFile;
    c.source = "OPENLINEAGE__TRANSPORT__LOG_FILE_PATH";
  }
  if (auto t = get("OPENLINEAGE__TRANSPORT__TYPE")) {
    c.transport = parse_type(*t, "OPENLINEAGE__TRANSPORT__TYPE");
    c.source = "OPENLINEAGE__TRANSPORT__TYPE";
    if (c.transport == OpenLineageConfig::Transport::kHttp && c.url.empty()) {
      throw usage_error(
          "OPENLINEAGE__TRANSPORT__TYPE=http needs OPENLINEAGE_URL (the collector, "
          "e.g. http://localhost:5000)");
    }
    if (c.transport == OpenLineageConfig::Transport::kFile && c.file.empty()) {
      throw usage_error(
          "OPENLINEAGE__TRANSPORT__TYPE=file needs "
          "OPENLINEAGE__TRANSPORT__LOG_FILE_PATH (the JSON-lines file to append to)");
    }
  }
  if (auto d = get("OPENLINEAGE_DISABLED"); d && (*d == "true" || *d == "1" || *d == "TRUE")) {
    c.transport = OpenLineageConfig::Transport::kNone;
    c.source = "OPENLINEAGE_DISABLED";
  }
}

}  // namespace

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
  OpenLineageConfig c;
  if (baliza_yml) apply_file(c, *baliza_yml);
  apply_env(c, env ? env : EnvLookup([](const char* name) { return std::getenv(name); }));
  return c;
}

}  // namespace baliza::lineage
