#include "plan/endpoint_config.h"
#include "plan/base_url.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "core/embedded_files.h"
#include "core/error.h"
#include "plan/config_layers.h"

namespace baliza::plan {
namespace {

// Reads typed values out of one owner's keys ("defaults" or an endpoint), with messages that
// name the key, the owner and the file:line:column.
class KeyReader {
 public:
  KeyReader(const SourcedMap& keys, std::string owner, std::string owner_where)
      : keys_(keys), owner_(std::move(owner)), owner_where_(std::move(owner_where)) {}

  const SourcedNode* find(const std::string& key) const { return keys_.find(key); }

  const SourcedNode& require(const std::string& key, const std::string& hint) const {
    const SourcedNode* node = keys_.find(key);
    if (node == nullptr) {
      throw usage_error("missing required key '" + key + "' for " + owner_ + " at " + owner_where_ +
                        "; " + hint);
    }
    return *node;
  }

  // "<subject> for <owner> at <file:line:col> <what>; <hint>"
  [[noreturn]] void fail(const SourcedNode& node, const std::string& subject,
                         const std::string& what, const std::string& hint) const {
    throw usage_error(subject + " for " + owner_ + " at " + node.where() + " " + what + "; " +
                      hint);
  }

  std::string text(const SourcedNode& node, const std::string& key) const {
    if (!node.value.IsScalar() || node.value.Scalar().empty()) {
      fail(node, key, "must be a non-empty text value", "write '" + key + ": <value>'");
    }
    return node.value.Scalar();
  }

  long long integer(const SourcedNode& node, const std::string& key, long long lo,
                    long long hi) const {
    const std::string raw = node.value.IsScalar() ? node.value.Scalar() : std::string("?");
    long long value = 0;
    const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    if (ec != std::errc() || end != raw.data() + raw.size()) {
      fail(node, key + " '" + raw + "'", "is not an integer", "use an integer in " + range(lo, hi));
    }
    if (value < lo || value > hi) {
      fail(node, key + " " + raw, "is out of range", "use " + range(lo, hi));
    }
    return value;
  }

  int int_key(const std::string& key, long long lo, long long hi) const {
    return static_cast<int>(integer(require(key, "use " + range(lo, hi)), key, lo, hi));
  }

  double number_key(const std::string& key, double lo, double hi) const {
    const SourcedNode& node = require(key, "use a number");
    double value = 0;
    try {
      value = node.value.as<double>();
    } catch (const YAML::Exception&) {
      fail(node, key + " '" + node.value.Scalar() + "'", "is not a number", "use a number");
    }
    if (!(value >= lo && value <= hi)) {
      fail(node, key + " " + node.value.Scalar(), "is out of range",
           "use a number between " + trim_number(lo) + " and " + trim_number(hi));
    }
    return value;
  }

  bool boolean(const SourcedNode& node, const std::string& key) const {
    const std::string raw = node.value.IsScalar() ? node.value.Scalar() : std::string("?");
    if (raw == "true") return true;
    if (raw == "false") return false;
    fail(node, key + " '" + raw + "'", "is not a boolean", "use true or false");
  }

  std::vector<int> int_list(const SourcedNode& node, const std::string& key, long long lo,
                            long long hi) const {
    if (!node.value.IsSequence()) {
      fail(node, key, "must be a list",
           "write '" + key + ": [a, b]' with integers in " + range(lo, hi));
    }
    std::vector<int> values;
    for (const auto& item : node.value) {
      values.push_back(
          static_cast<int>(integer(SourcedNode{item, item, node.source}, key, lo, hi)));
    }
    return values;
  }

  std::vector<std::string> text_list(const SourcedNode& node, const std::string& key) const {
    if (!node.value.IsSequence()) fail(node, key, "must be a list", "write '" + key + ": [a, b]'");
    std::vector<std::string> values;
    for (const auto& item : node.value)
      values.push_back(text(SourcedNode{item, item, node.source}, key));
    return values;
  }

  // Every key must be one of `known`; the error points at the unknown key.
  void check_known(const std::vector<std::string_view>& known) const {
    for (const auto& [key, node] : keys_.items()) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      throw usage_error("unknown key '" + key + "' for " + owner_ + " at " + node.key_where() +
                        "; valid keys are: " + list);
    }
  }

  const std::string& owner() const { return owner_; }

  static std::string range(long long lo, long long hi) {
    return std::to_string(lo) + ".." + std::to_string(hi);
  }

 private:
  static std::string trim_number(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
  }

  const SourcedMap& keys_;
  std::string owner_;
  std::string owner_where_;
};

// A canonical integer (no sign games, no leading zeros) is written as a JSON number; anything
// else stays text, so "001234" keeps its zeros.
bool is_canonical_integer(const std::string& s) {
  size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (i >= s.size() || s.size() - i > 18) return false;
  if (s[i] == '0') return s.size() == i + 1 && i == 0;
  return std::all_of(s.begin() + static_cast<long>(i), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

const std::vector<std::string_view> kDefaultsKeys = {"concurrency",
                                                     "rate_limit.requests_per_second",
                                                     "rate_limit.burst",
                                                     "rate_limit.floor",
                                                     "rate_limit.ceiling",
                                                     "retry.max_attempts",
                                                     "retry.base_backoff_ms",
                                                     "retry.max_backoff_ms",
                                                     "retry.on_statuses",
                                                     "circuit_breaker.failure_threshold",
                                                     "circuit_breaker.open_seconds",
                                                     "circuit_breaker.half_open_probes",
                                                     "timeouts.connect_seconds",
                                                     "timeouts.request_seconds",
                                                     "claim_ttl_seconds",
                                                     "recheck_days",
                                                     "window_target_pages",
                                                     "short_page_retries",
                                                     "date_format",
                                                     "page_param",
                                                     "page_size_param",
                                                     "page_size_limits",
                                                     "empty_statuses"};

constexpr int kDefaultRecheckDays = 7;

const std::vector<std::string_view> kEndpointKeys = {"name",
                                                     "path",
                                                     "description",
                                                     "base_url",
                                                     "enabled",
                                                     "reason",
                                                     "window",
                                                     "max_window",
                                                     "date_params",
                                                     "date_format",
                                                     "page_param",
                                                     "page_size_param",
                                                     "page_size",
                                                     "page_size_limits",
                                                     "fan_out",
                                                     "params",
                                                     "required_params",
                                                     "data_final_min",
                                                     "empty_statuses",
                                                     "short_page_retries",
                                                     "from_sql",
                                                     "body",
                                                     "paged",
                                                     "count_path",
                                                     "expect_records"};

// Endpoint-level keys whose value defaults to the `defaults` entry of the same name.
struct Inherited {
  DateFormat date_format = DateFormat::kCompact;
  std::string page_param;
  std::string page_size_param;
  std::vector<int> empty_statuses;
};

std::pair<int, int> limits_pair(const KeyReader& r, const SourcedNode& node, long long lo,
                                long long hi) {
  const std::vector<int> v = r.int_list(node, "page_size_limits", lo, hi);
  if (v.size() != 2 || v[0] > v[1]) {
    r.fail(node, "page_size_limits", "must be [min, max] with min <= max",
           "write e.g. 'page_size_limits: [10, 50]'");
  }
  return {v[0], v[1]};
}

// rate_limit.floor / rate_limit.ceiling: both or neither, floor <= requests_per_second <=
// ceiling. Bounds from a file before the one that set requests_per_second do not apply (that
// file asked for a fixed rate).
void read_pacing_bounds(const RawConfig& raw, const KeyReader& r, RateLimit& rate) {
  const SourcedNode* floor = r.find("rate_limit.floor");
  const SourcedNode* ceiling = r.find("rate_limit.ceiling");
  if (floor == nullptr && ceiling == nullptr) return;
  const SourcedNode* start = r.find("rate_limit.requests_per_second");
  auto layer = [&](const SourcedNode* n) {
    const auto it = std::find(raw.sources.begin(), raw.sources.end(), *n->source);
    return it - raw.sources.begin();
  };
  const auto start_layer = layer(start);
  const bool floor_applies = floor != nullptr && layer(floor) >= start_layer;
  const bool ceiling_applies = ceiling != nullptr && layer(ceiling) >= start_layer;
  if (!floor_applies && !ceiling_applies) return;
  const std::string hint =
      "set both, e.g. 'rate_limit: {requests_per_second: 0.5, floor: 0.1, ceiling: 2}', or "
      "neither for a fixed rate";
  if (!floor_applies)
    r.fail(*ceiling, "rate_limit.ceiling", "is set without rate_limit.floor", hint);
  if (!ceiling_applies)
    r.fail(*floor, "rate_limit.floor", "is set without rate_limit.ceiling", hint);
  rate.floor = r.number_key("rate_limit.floor", 0.001, 10000);
  rate.ceiling = r.number_key("rate_limit.ceiling", 0.001, 10000);
  if (rate.floor > rate.ceiling) {
    r.fail(
        *floor, "rate_limit.floor " + floor->value.Scalar(),
        "is above rate_limit.ceiling " + ceiling->value.Scalar() + " (at " + ceiling->where() + ")",
        "use floor <= ceiling");
  }
  if (rate.requests_per_second < rate.floor || rate.requests_per_second > rate.ceiling) {
    r.fail(*start, "rate_limit.requests_per_second " + start->value.Scalar(),
           "is outside [rate_limit.floor, rate_limit.ceiling] = [" + floor->value.Scalar() + ", " +
               ceiling->value.Scalar() + "] (at " + floor->where() + " and " + ceiling->where() +
               ")",
           "start between the floor and the ceiling");
  }
}

ExtractDefaults read_defaults(const RawConfig& raw, Inherited& inherited) {
  const SourcedNode* top = raw.top.find("defaults");
  if (top != nullptr && !top->value.IsNull()) {
    throw usage_error("'defaults' at " + top->where() + " must be a mapping of settings");
  }
  const KeyReader r(raw.defaults, "defaults", raw.sources.empty() ? "" : raw.sources.front());
  r.check_known(kDefaultsKeys);
  ExtractDefaults d;
  d.concurrency = r.int_key("concurrency", 1, 256);
  d.rate_limit.requests_per_second = r.number_key("rate_limit.requests_per_second", 0.01, 10000);
  d.rate_limit.burst = r.int_key("rate_limit.burst", 1, 10000);
  read_pacing_bounds(raw, r, d.rate_limit);
  d.retry.max_attempts = r.int_key("retry.max_attempts", 1, 100);
  d.retry.base_backoff_ms = r.int_key("retry.base_backoff_ms", 1, 3600000);
  d.retry.max_backoff_ms = r.int_key("retry.max_backoff_ms", d.retry.base_backoff_ms, 3600000);
  const SourcedNode& statuses = r.require("retry.on_statuses", "e.g. [429, 500, 502, 503, 504]");
  d.retry.on_statuses = r.int_list(statuses, "retry.on_statuses", 400, 599);
  d.circuit_breaker.failure_threshold = r.int_key("circuit_breaker.failure_threshold", 1, 10000);
  d.circuit_breaker.open_seconds = r.int_key("circuit_breaker.open_seconds", 1, 86400);
  d.circuit_breaker.half_open_probes = r.int_key("circuit_breaker.half_open_probes", 1, 1000);
  d.timeouts.connect_seconds = r.int_key("timeouts.connect_seconds", 1, 3600);
  d.timeouts.request_seconds = r.int_key("timeouts.request_seconds", 1, 86400);
  // A claim must outlive the request it covers, or a slow page would be fetched twice.
  d.claim_ttl_seconds = r.int_key("claim_ttl_seconds", d.timeouts.request_seconds + 1, 604800);
  // Optional (configs written before it keep working): 7 when absent.
  d.recheck_days =
      r.find("recheck_days") ? r.int_key("recheck_days", 0, 3660) : kDefaultRecheckDays;
  // Optional: 20 pages when absent (plan/volume_windows.h).
  if (r.find("window_target_pages"))
    d.window_target_pages = r.int_key("window_target_pages", 1, 100000);
  if (r.find("short_page_retries")) d.short_page_retries = r.int_key("short_page_retries", 0, 100);
  const auto limits = limits_pair(r, r.require("page_size_limits", "e.g. [10, 500]"), 1, 100000);
  d.page_size_min = limits.first;
  d.page_size_max = limits.second;
  const SourcedNode& format = r.require("date_format", "use yyyyMMdd or yyyy-MM-dd");
  try {
    inherited.date_format = parse_date_format(r.text(format, "date_format"));
  } catch (const Error&) {
    r.fail(format, "date_format '" + format.value.Scalar() + "'", "is not supported",
           "use yyyyMMdd or yyyy-MM-dd");
  }
  inherited.page_param = r.text(r.require("page_param", "e.g. pagina"), "page_param");
  inherited.page_size_param =
      r.text(r.require("page_size_param", "e.g. tamanhoPagina"), "page_size_param");
  inherited.empty_statuses =
      r.int_list(r.require("empty_statuses", "e.g. [204]"), "empty_statuses", 100, 599);
  return d;
}

DateParams read_date_params(const KeyReader& r, const SourcedNode& node, Window window) {
  const std::string hint =
      "write {start: dataInicial, end: dataFinal}, {end: dataFinal} or {year: anoPca}";
  if (!node.value.IsMap()) r.fail(node, "date_params", "must be a mapping", hint);
  DateParams p;
  for (const auto& item : node.value) {
    const std::string key = item.first.Scalar();
    const SourcedNode child{item.first, item.second, node.source};
    std::string* slot = key == "start"  ? &p.start
                        : key == "end"  ? &p.end
                        : key == "year" ? &p.year
                                        : nullptr;
    if (slot == nullptr) {
      throw usage_error("unknown key 'date_params." + key + "' for " + r.owner() + " at " +
                        child.key_where() + "; " + hint);
    }
    *slot = r.text(child, "date_params." + key);
  }
  const bool range_ok = !p.end.empty() && p.year.empty();
  const bool year_ok = !p.year.empty() && p.start.empty() && p.end.empty();
  if (!range_ok && !year_ok) r.fail(node, "date_params", "is incomplete or mixed", hint);
  if (year_ok && window != Window::kYear) {
    r.fail(node, "date_params.year", "needs 'window: year'", "set window: year");
  }
  return p;
}

FanOut read_fan_out(const KeyReader& r, const SourcedNode& node) {
  const std::string hint =
      "write {param: <name>, range: [low, high]} or {param: <name>, values: [a, b]}";
  if (!node.value.IsMap()) r.fail(node, "fan_out", "must be a mapping", hint);
  SourcedMap keys;
  for (const auto& item : node.value) {
    keys.set(item.first.Scalar(), SourcedNode{item.first, item.second, node.source});
  }
  const KeyReader fr(keys, r.owner() + " fan_out", node.where());
  fr.check_known({"param", "range", "values"});
  FanOut fan;
  fan.param = fr.text(fr.require("param", hint), "fan_out.param");
  const SourcedNode* range = fr.find("range");
  const SourcedNode* values = fr.find("values");
  if ((range == nullptr) == (values == nullptr)) {
    r.fail(node, "fan_out", "needs exactly one of range or values", hint);
  }
  if (range != nullptr) {
    const std::vector<int> bounds = r.int_list(*range, "fan_out.range", -1000000000, 1000000000);
    if (bounds.size() != 2 || bounds[0] > bounds[1]) {
      r.fail(*range, "fan_out range", "is empty or not [low, high]",
             "write [low, high] with low <= high, e.g. [1, 14]");
    }
    for (int v = bounds[0]; v <= bounds[1]; ++v) fan.values.push_back(std::to_string(v));
  } else {
    fan.values = r.text_list(*values, "fan_out.values");
    if (fan.values.empty()) {
      r.fail(*values, "fan_out values", "are empty", "list at least one value");
    }
  }
  fan.integer = std::all_of(fan.values.begin(), fan.values.end(), is_canonical_integer);
  return fan;
}

std::vector<ConstParam> read_params(const KeyReader& r, const SourcedNode& node) {
  if (!node.value.IsMap()) {
    r.fail(node, "params", "must be a mapping", "write e.g. 'params: {uf: RO}'");
  }
  std::vector<ConstParam> params;
  for (const auto& item : node.value) {
    const std::string value =
        r.text(SourcedNode{item.first, item.second, node.source}, "params." + item.first.Scalar());
    params.push_back({item.first.Scalar(), value, is_canonical_integer(value)});
  }
  std::sort(params.begin(), params.end(),
            [](const ConstParam& a, const ConstParam& b) { return a.name < b.name; });
  return params;
}

FromSql read_from_sql(const KeyReader& r, const SourcedNode& node) {
  const std::string hint =
      "e.g. from_sql: {after: [contratacoes], query: \"select cnpj, ano, sequencial, data_date "
      "from ...\"}";
  if (!node.value.IsMap()) r.fail(node, "from_sql", "must be a mapping", hint);
  SourcedMap keys;
  for (const auto& item : node.value) {
    keys.set(item.first.Scalar(), SourcedNode{item.first, item.second, node.source});
  }
  const KeyReader fr(keys, r.owner() + " from_sql", node.where());
  fr.check_known({"query", "after"});
  FromSql f;
  f.query = fr.text(fr.require("query", hint), "from_sql.query");
  if (const auto* after = fr.find("after")) f.after = r.text_list(*after, "from_sql.after");
  f.location = node.where();
  return f;
}

// Every query parameter the endpoint sends, by the key that supplies it (for collisions and for
// required_params).
std::vector<std::string> supplied_params(const EndpointConfig& e) {
  std::vector<std::string> names = {e.date_params.start, e.date_params.end, e.date_params.year};
  if (e.fan_out) names.push_back(e.fan_out->param);
  for (const auto& p : e.params) names.push_back(p.name);
  names.erase(std::remove(names.begin(), names.end(), std::string()), names.end());
  return names;
}

void check_consistency(const KeyReader& r, const RawEndpoint& raw, const EndpointConfig& e) {
  const std::vector<std::string> supplied = supplied_params(e);
  std::set<std::string> unique = {e.page_param, e.page_size_param};
  for (const auto& name : supplied) {
    if (!unique.insert(name).second) {
      r.fail(raw.entry, "query parameter '" + name + "'", "is supplied twice",
             "each parameter comes from one of date_params, fan_out, params or paging");
    }
  }
  if (!e.enabled) return;
  for (const auto& required : e.required_params) {
    if (std::find(supplied.begin(), supplied.end(), required) == supplied.end()) {
      r.fail(*raw.keys.find("required_params"), "required parameter '" + required + "'",
             "is not supplied",
             "supply it with 'params: {" + required +
                 ": <value>}' or a fan_out, or set "
                 "enabled: false with a reason");
    }
  }
  if (e.path.find('{') != std::string::npos && !e.from_sql) {
    r.fail(*raw.keys.find("path"), "path '" + e.path + "'", "has per-record path parameters",
           "such endpoints cannot be planned by date: plan them from staged data with "
           "'from_sql: {query: ...}', or set enabled: false with a reason");
  }
}

// max_window: day | month. It applies over `window: day` only: a project layer that sets a
// longer window over the built-in endpoint gets that window (already one task per window).
void read_max_window(const KeyReader& r, const SourcedNode& node, EndpointConfig& e) {
  const std::string hint = "use max_window: month (volume-planned) or day (one task per day)";
  const std::string text = r.text(node, "max_window");
  if (text != "day" && text != "month")
    r.fail(node, "max_window '" + text + "'", "is not supported", hint);
  if (e.window == Window::kDay) e.max_window = parse_window(text);
}

// count_path: a bare-array endpoint's count of records (EndpointConfig::count_path). Its
// {placeholders} must be the path's own (the task's params fill both).
void read_count_path(const KeyReader& r, const SourcedNode& node, EndpointConfig& e) {
  const std::string path = r.text(node, "count_path");
  if (!e.array_body || e.page_param.empty())
    r.fail(node, "count_path", "applies to paged bare-array endpoints only",
           "remove it, or set body: array (pages without totals) and keep the endpoint paged");
  if (path.empty() || path.front() != '/')
    r.fail(node, "count_path '" + path + "'", "must start with '/'",
           "e.g. count_path: /v1/orgaos/{cnpj}/compras/{ano}/{sequencial}/itens/quantidade");
  for (std::size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
    const std::size_t close = path.find('}', at);
    const std::string name = path.substr(at, close == std::string::npos ? close : close - at + 1);
    if (close == std::string::npos || e.path.find(name) == std::string::npos)
      r.fail(node, "count_path '" + path + "'",
             "uses " + name + ", which the endpoint's path " + e.path + " does not have",
             "use only the {parameters} of path");
  }
  e.count_path = path;
}

void read_paging(const KeyReader& r, const ExtractDefaults& d, bool required, EndpointConfig& e) {
  e.page_size_min = d.page_size_min;
  e.page_size_max = d.page_size_max;
  if (const SourcedNode* node = r.find("page_size_limits")) {
    const auto [lo, hi] = limits_pair(r, *node, 1, 100000);
    if (lo < d.page_size_min || hi > d.page_size_max) {
      r.fail(*node, "page_size_limits [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
             "exceed the API limits " + KeyReader::range(d.page_size_min, d.page_size_max),
             "narrow them to within those limits (defaults.page_size_limits)");
    }
    e.page_size_min = lo;
    e.page_size_max = hi;
  }
  const SourcedNode* node = r.find("page_size");
  if (node == nullptr && required) r.require("page_size", "e.g. page_size: 50");
  if (node == nullptr) return;
  const std::string use = "use " + KeyReader::range(e.page_size_min, e.page_size_max);
  const long long size = r.integer(*node, "page_size", 1, 1000000000);
  if (size > e.page_size_max) {
    r.fail(*node, "page_size " + std::to_string(size),
           "is above the API limit " + std::to_string(e.page_size_max), use);
  }
  if (size < e.page_size_min) {
    r.fail(*node, "page_size " + std::to_string(size),
           "is below the API limit " + std::to_string(e.page_size_min), use);
  }
  e.page_size = static_cast<int>(size);
}

EndpointConfig read_endpoint(const RawEndpoint& raw, const ExtractDefaults& d,
                             const Inherited& inherited, const std::string& base_url) {
  const KeyReader r(raw.keys, raw.name, raw.entry.where());
  r.check_known(kEndpointKeys);
  EndpointConfig e;
  e.name = raw.name;
  e.location = raw.entry.where();
  e.path = r.text(r.require("path", "e.g. path: /v1/contratos"), "path");
  if (e.path.front() != '/')
    r.fail(*r.find("path"), "path", "must start with '/'", "e.g. /v1/contratos");
  if (const auto* n = r.find("description")) e.description = r.text(*n, "description");
  e.base_url = base_url;
  if (const auto* n = r.find("base_url")) {
    e.base_url = r.text(*n, "base_url");
    if (is_relative_base_url(e.base_url)) {
      e.base_url_ref = e.base_url;
      e.base_url = resolve_base_url(base_url, e.base_url_ref);
    }
  }
  if (const auto* n = r.find("enabled")) e.enabled = r.boolean(*n, "enabled");
  if (const auto* n = r.find("from_sql")) e.from_sql = read_from_sql(r, *n);
  if (const auto* n = r.find("body")) {
    const std::string body = r.text(*n, "body");
    if (body != "array" && body != "envelope")
      r.fail(*n, "body '" + body + "'", "is unknown",
             "use body: array (a bare JSON array) or envelope (the default)");
    e.array_body = body == "array";
  }
  const bool by_date = e.enabled && !e.from_sql;
  if (const auto* n = r.find("reason")) e.reason = r.text(*n, "reason");
  if (!e.enabled && e.reason.empty()) {
    r.require("reason", "a disabled endpoint says why: add 'reason: <text>'");
  }
  const std::string window_hint = "use window: day, month or year";
  const SourcedNode* window = by_date ? &r.require("window", window_hint) : r.find("window");
  if (window != nullptr) {
    try {
      e.window = parse_window(r.text(*window, "window"));
    } catch (const Error&) {
      r.fail(*window, "window '" + window->value.Scalar() + "'", "is unknown", window_hint);
    }
  }
  if (const auto* n = r.find("max_window")) read_max_window(r, *n, e);
  const std::string dates_hint = "e.g. date_params: {start: dataInicial, end: dataFinal}";
  const SourcedNode* dates =
      by_date ? &r.require("date_params", dates_hint) : r.find("date_params");
  if (dates != nullptr) e.date_params = read_date_params(r, *dates, e.window);
  e.date_format = inherited.date_format;
  if (const auto* n = r.find("date_format")) {
    try {
      e.date_format = parse_date_format(r.text(*n, "date_format"));
    } catch (const Error&) {
      r.fail(*n, "date_format '" + n->value.Scalar() + "'", "is not supported",
             "use yyyyMMdd or yyyy-MM-dd");
    }
  }
  e.page_param = inherited.page_param;
  if (const auto* n = r.find("page_param")) e.page_param = r.text(*n, "page_param");
  e.page_size_param = inherited.page_size_param;
  if (const auto* n = r.find("page_size_param")) e.page_size_param = r.text(*n, "page_size_param");
  bool paged = true;
  if (const auto* n = r.find("paged")) paged = r.boolean(*n, "paged");
  if (paged) {
    read_paging(r, d, e.enabled, e);
  } else {  // one request per task, no paging parameters (a purchase item's results)
    e.page_param.clear();
    e.page_size_param.clear();
    e.page_size_min = e.page_size_max = 0;
  }
  if (const auto* n = r.find("fan_out")) e.fan_out = read_fan_out(r, *n);
  if (const auto* n = r.find("params")) e.params = read_params(r, *n);
  if (const auto* n = r.find("required_params")) {
    e.required_params = r.text_list(*n, "required_params");
  }
  if (const auto* n = r.find("data_final_min")) {
    if (r.text(*n, "data_final_min") != "today") {
      r.fail(*n, "data_final_min '" + n->value.Scalar() + "'", "is not supported", "use today");
    }
    if (e.date_params.end.empty()) {
      r.fail(*n, "data_final_min", "needs an end date parameter", "set date_params.end");
    }
    e.data_final_min_today = true;
  }
  e.empty_statuses = inherited.empty_statuses;
  if (const auto* n = r.find("empty_statuses")) {
    e.empty_statuses = r.int_list(*n, "empty_statuses", 100, 599);
  }
  e.short_page_retries = d.short_page_retries;
  if (r.find("short_page_retries")) e.short_page_retries = r.int_key("short_page_retries", 0, 100);
  if (const auto* n = r.find("count_path")) read_count_path(r, *n, e);
  if (const auto* n = r.find("expect_records")) e.expect_records = r.boolean(*n, "expect_records");
  check_consistency(r, raw, e);
  if (const auto* n = r.find("max_window"); n != nullptr && e.max_window != Window::kDay) {
    if (e.date_params.start.empty() || e.date_params.end.empty() || e.data_final_min_today) {
      r.fail(*n, "max_window", "needs a date range (date_params start and end)",
             "remove max_window: only windows of dataInicial..dataFinal can be merged");
    }
  }
  return e;
}

void check_snake_case(const RawEndpoint& raw) {
  const bool ok = std::all_of(raw.name.begin(), raw.name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!ok || !(raw.name[0] >= 'a' && raw.name[0] <= 'z')) {
    throw usage_error("endpoint name '" + raw.name + "' at " + raw.entry.where() +
                      " is not snake_case; use lowercase letters, digits and '_', e.g. "
                      "contratacoes_publicacao");
  }
}

EndpointsConfig validate(const RawConfig& raw) {
  const KeyReader top(raw.top, "the top level", raw.sources.empty() ? "" : raw.sources.front());
  top.check_known({"base_url", "defaults"});
  EndpointsConfig config;
  config.sources = raw.sources;
  config.base_url = top.text(
      top.require("base_url", "e.g. base_url: https://pncp.gov.br/api/consulta"), "base_url");
  Inherited inherited;
  config.defaults = read_defaults(raw, inherited);
  for (const auto& endpoint : raw.endpoints) {
    check_snake_case(endpoint);
    config.endpoints.push_back(
        read_endpoint(endpoint, config.defaults, inherited, config.base_url));
  }
  if (config.endpoints.empty()) {
    throw usage_error("no endpoints declared in " +
                      (raw.sources.empty() ? "" : raw.sources.back()) +
                      "; add an 'endpoints:' list");
  }
  return config;
}

}  // namespace

const EndpointConfig* EndpointsConfig::find(std::string_view name) const {
  for (const auto& endpoint : endpoints) {
    if (endpoint.name == name) return &endpoint;
  }
  return nullptr;
}

EndpointsConfig parse_endpoints(const std::vector<ConfigSource>& layers) {
  RawConfig raw;
  for (const auto& layer : layers) merge_layer(raw, layer);
  return validate(raw);
}

EndpointsConfig parse_endpoints(std::string_view text, const std::string& display_name) {
  return parse_endpoints(std::vector<ConfigSource>{{display_name, std::string(text)}});
}

ConfigSource read_config_source(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw environment_error("cannot read " + path + "; check that the file exists and is readable");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return {path, text.str()};
}

EndpointsConfig load_endpoints_file(const std::string& path) {
  return parse_endpoints(std::vector<ConfigSource>{read_config_source(path)});
}

ConfigSource builtin_pncp_endpoints() {
  for (const auto& file : embedded_files()) {
    if (file.path == "pncp/endpoints.yaml") {
      return {"<builtin>/pncp/endpoints.yaml", std::string(file.content)};
    }
  }
  throw environment_error(
      "the built-in pncp/endpoints.yaml is missing from this binary; rebuild baliza");
}

}  // namespace baliza::plan
