// Normalized text and fingerprint of a resolved EndpointsConfig (see endpoint_config.h).
// Built from the validated structs, not from the YAML, so that comments, key order, quoting
// and values inherited from defaults vs. spelled out all normalize to the same text.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "plan/endpoint_config.h"

namespace baliza::plan {
namespace {

nlohmann::json value_json(const std::string& text, bool integer) {
  if (integer) return std::stoll(text);
  return text;
}

nlohmann::json endpoint_json(const EndpointConfig& e) {
  nlohmann::json j;
  j["path"] = e.path;
  j["description"] = e.description;
  j["base_url"] = e.base_url;
  j["enabled"] = e.enabled;
  j["reason"] = e.reason;
  j["window"] = std::string(window_name(e.window));
  if (e.max_window != e.window) j["max_window"] = std::string(window_name(e.max_window));
  j["date_params"] = {
      {"start", e.date_params.start}, {"end", e.date_params.end}, {"year", e.date_params.year}};
  j["date_format"] = std::string(date_format_name(e.date_format));
  j["page_param"] = e.page_param;
  j["page_size_param"] = e.page_size_param;
  j["page_size"] = e.page_size;
  j["page_size_limits"] = {e.page_size_min, e.page_size_max};
  if (e.fan_out) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& v : e.fan_out->values) values.push_back(value_json(v, e.fan_out->integer));
    j["fan_out"] = {{"param", e.fan_out->param}, {"values", values}};
  } else {
    j["fan_out"] = nullptr;
  }
  j["params"] = nlohmann::json::object();
  for (const auto& p : e.params) j["params"][p.name] = value_json(p.value, p.value_is_integer);
  std::vector<std::string> required = e.required_params;
  std::sort(required.begin(), required.end());
  j["required_params"] = required;
  j["data_final_min"] = e.data_final_min_today ? nlohmann::json("today") : nlohmann::json();
  j["empty_statuses"] = e.empty_statuses;
  // Keys of SQL-planned endpoints only when set, so the fingerprint of every other config
  // stays what it was.
  if (e.from_sql) j["from_sql"] = {{"query", e.from_sql->query}, {"after", e.from_sql->after}};
  if (e.array_body) j["body"] = "array";
  if (!e.base_url_ref.empty()) j["base_url_ref"] = e.base_url_ref;
  return j;
}

nlohmann::json defaults_json(const ExtractDefaults& d) {
  return {
      {"concurrency", d.concurrency},
      {"rate_limit",
       {{"requests_per_second", d.rate_limit.requests_per_second},
        {"burst", d.rate_limit.burst},
        {"floor", d.rate_limit.floor},
        {"ceiling", d.rate_limit.ceiling}}},
      {"retry",
       {{"max_attempts", d.retry.max_attempts},
        {"base_backoff_ms", d.retry.base_backoff_ms},
        {"max_backoff_ms", d.retry.max_backoff_ms},
        {"on_statuses", d.retry.on_statuses}}},
      {"circuit_breaker",
       {{"failure_threshold", d.circuit_breaker.failure_threshold},
        {"open_seconds", d.circuit_breaker.open_seconds},
        {"half_open_probes", d.circuit_breaker.half_open_probes}}},
      {"timeouts",
       {{"connect_seconds", d.timeouts.connect_seconds},
        {"request_seconds", d.timeouts.request_seconds}}},
      {"claim_ttl_seconds", d.claim_ttl_seconds},
      {"page_size_limits", {d.page_size_min, d.page_size_max}},
      {"window_target_pages", d.window_target_pages},
  };
}

}  // namespace

std::string normalized_text(const EndpointsConfig& config) {
  nlohmann::json endpoints = nlohmann::json::object();  // keyed by name: sorted, order-free
  for (const auto& e : config.endpoints) endpoints[e.name] = endpoint_json(e);
  const nlohmann::json root = {
      {"base_url", config.base_url},
      {"defaults", defaults_json(config.defaults)},
      {"endpoints", endpoints},
  };
  return root.dump(2) + "\n";
}

std::string config_fingerprint(const EndpointsConfig& config) {
  return sha256_hex(normalized_text(config));
}

}  // namespace baliza::plan
