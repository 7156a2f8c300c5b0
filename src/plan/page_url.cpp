#include "plan/page_url.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace baliza::plan {
namespace {

void append_param(std::string& url, bool& first, std::string_view key, std::string_view value) {
  url += first ? '?' : '&';
  first = false;
  url += url_encode(key);
  url += '=';
  url += url_encode(value);
}

std::string param_text(const nlohmann::json& value, std::string_view key,
                       std::string_view params_json) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  throw failure("task params " + std::string(params_json) + ": value of '" + std::string(key) +
                "' is neither a string nor an integer; re-plan the task with `baliza plan`");
}

// The path with each {name} replaced by the param of that name.
std::string fill_path(const std::string& path, const nlohmann::json& params,
                      std::string_view params_json) {
  std::string out;
  std::size_t at = 0;
  while (at < path.size()) {
    const std::size_t open = path.find('{', at);
    if (open == std::string::npos) break;
    const std::size_t close = path.find('}', open);
    if (close == std::string::npos) break;
    out.append(path, at, open - at);
    const std::string name = path.substr(open + 1, close - open - 1);
    if (!params.contains(name)) {
      throw failure("task params " + std::string(params_json) + " have no '" + name +
                    "' for the path " + path + "; re-plan the task with `baliza plan`");
    }
    out += url_encode(param_text(params[name], name, params_json));
    at = close + 1;
  }
  out.append(path, at, std::string::npos);
  return out;
}

}  // namespace

std::string url_encode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

namespace {

const EndpointConfig& endpoint_of(const EndpointsConfig& config, std::string_view endpoint_name) {
  const EndpointConfig* e = config.find(endpoint_name);
  if (e == nullptr) {
    throw usage_error("task endpoint '" + std::string(endpoint_name) +
                      "' is not in the current endpoints config (" +
                      (config.sources.empty() ? std::string("?") : config.sources.back()) +
                      "); restore it or re-plan with `baliza plan`");
  }
  return *e;
}

nlohmann::json params_of(std::string_view params_json) {
  nlohmann::json params = nlohmann::json::parse(params_json, nullptr, false);
  if (!params.is_object()) {
    throw failure("task params '" + std::string(params_json) +
                  "' are not a JSON object; re-plan the task with `baliza plan`");
  }
  return params;
}

// base_url + `path` filled + the params that are not path parameters (nor private '_' ones).
std::string base_and_query(const EndpointConfig& e, const std::string& path,
                           const nlohmann::json& params, std::string_view params_json,
                           bool& first) {
  std::string url = e.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += fill_path(path, params, params_json);
  for (const auto& [key, value] : params.items()) {  // object keys iterate sorted
    if (key.empty() || key.front() == '_') continue;
    if (e.path.find("{" + key + "}") != std::string::npos) continue;
    append_param(url, first, key, param_text(value, key, params_json));
  }
  return url;
}

}  // namespace

std::string page_url(const EndpointsConfig& config, std::string_view endpoint_name,
                     std::string_view params_json, int page) {
  const EndpointConfig& e = endpoint_of(config, endpoint_name);
  if (page < 1) throw failure("page number " + std::to_string(page) + " is below 1");
  const nlohmann::json params = params_of(params_json);
  bool first = true;
  std::string url = base_and_query(e, e.path, params, params_json, first);
  if (!e.page_param.empty()) append_param(url, first, e.page_param, std::to_string(page));
  if (!e.page_size_param.empty())
    append_param(url, first, e.page_size_param, std::to_string(e.page_size));
  return url;
}

std::string count_url(const EndpointsConfig& config, std::string_view endpoint_name,
                      std::string_view params_json) {
  const EndpointConfig& e = endpoint_of(config, endpoint_name);
  if (e.count_path.empty())
    throw failure("endpoint '" + e.name + "' has no count_path to count its records");
  bool first = true;
  return base_and_query(e, e.count_path, params_of(params_json), params_json, first);
}

std::string page_url(const EndpointsConfig& config, const Task& task, int page) {
  return page_url(config, task.endpoint_name, task.params, page);
}

}  // namespace baliza::plan
