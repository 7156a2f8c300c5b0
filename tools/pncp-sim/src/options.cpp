#include "pncp_sim/options.h"

#include <stdexcept>

#include "calendar.h"

namespace pncp_sim {

namespace {

// Splits "kind:key=value,key=value" into the kind and its key/value pairs.
std::pair<std::string, std::vector<std::pair<std::string, std::string>>> split_spec(
    const std::string& spec) {
  size_t colon = spec.find(':');
  std::string kind = spec.substr(0, colon);
  std::vector<std::pair<std::string, std::string>> pairs;
  if (colon == std::string::npos) return {kind, pairs};
  std::string rest = spec.substr(colon + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t comma = rest.find(',', start);
    std::string item =
        rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) {
      size_t eq = item.find('=');
      if (eq == std::string::npos)
        throw std::invalid_argument("'" + item + "' in '" + spec + "' is not key=value");
      pairs.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {kind, pairs};
}

double to_double(const std::string& key, const std::string& value) {
  try {
    size_t used = 0;
    double v = std::stod(value, &used);
    if (used == value.size()) return v;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("'" + key + "=" + value + "' needs a number");
}

int to_int(const std::string& key, const std::string& value) {
  double v = to_double(key, value);
  if (v != static_cast<int>(v))
    throw std::invalid_argument("'" + key + "=" + value + "' needs an integer");
  return static_cast<int>(v);
}

FaultKind fault_kind(const std::string& kind, const std::string& spec) {
  if (kind == "429" || kind == "rate_limit") return FaultKind::rate_limit;
  if (kind == "5xx" || kind == "server_error") return FaultKind::server_error;
  if (kind == "slow") return FaultKind::slow;
  if (kind == "reset") return FaultKind::reset;
  if (kind == "truncate") return FaultKind::truncate;
  if (kind == "shift" || kind == "data_shift") return FaultKind::data_shift;
  if (kind == "fail_first") return FaultKind::fail_first;
  if (kind == "short" || kind == "short_page") return FaultKind::short_page;
  if (kind == "html200" || kind == "throttle_page") return FaultKind::throttle_page;
  if (kind == "client_throttle") return FaultKind::client_throttle;
  if (kind == "past_end" || kind == "page_past_end") return FaultKind::page_past_end;
  if (kind == "wrong_count") return FaultKind::wrong_count;
  if (kind == "garbage") return FaultKind::garbage;
  throw std::invalid_argument("unknown fault kind '" + kind + "' in '" + spec +
                              "' (use 429, 5xx, slow, reset, truncate, shift, fail_first, short, "
                              "html200, client_throttle, past_end, wrong_count or garbage)");
}

}  // namespace

FaultConfig parse_fault(const std::string& spec) {
  auto [kind, pairs] = split_spec(spec);
  FaultConfig f;
  f.kind = fault_kind(kind, spec);
  for (const auto& [key, value] : pairs) {
    if (key == "endpoint")
      f.endpoint = value;
    else if (key == "rate")
      f.rate = to_double(key, value);
    else if (key == "status")
      f.status = to_int(key, value);
    else if (key == "retry_after")
      f.retry_after_s = to_int(key, value);
    else if (key == "delay_ms")
      f.delay_ms = to_int(key, value);
    else if (key == "count")
      f.count = to_int(key, value);
    else if (key == "match")
      f.match = value;
    else if (key == "rps")
      f.rps = to_double(key, value);
    else if (key == "burst")
      f.burst = to_int(key, value);
    else if (key == "mode" && (value == "cut_json" || value == "short_body"))
      f.cut_json = value == "cut_json";
    else if (key == "mode" && value == "html")
      f.html = true;
    else
      throw std::invalid_argument("unknown fault option '" + key + "=" + value + "' in '" + spec +
                                  "'");
  }
  if (f.rate < 0 || f.rate > 1)
    throw std::invalid_argument("rate must be in [0, 1] in '" + spec + "'");
  if (f.kind == FaultKind::client_throttle && (f.rps <= 0 || f.burst < 1))
    throw std::invalid_argument("client_throttle needs rps > 0 and burst >= 1 in '" + spec + "'");
  return f;
}

SchemaChange parse_schema_change(const std::string& spec) {
  auto [kind, pairs] = split_spec(spec);
  SchemaChange c;
  if (kind == "rename")
    c.kind = SchemaChangeKind::rename;
  else if (kind == "add")
    c.kind = SchemaChangeKind::add;
  else if (kind == "retype")
    c.kind = SchemaChangeKind::retype;
  else
    throw std::invalid_argument("unknown schema change '" + kind + "' in '" + spec +
                                "' (use rename, add or retype)");
  for (const auto& [key, value] : pairs) {
    if (key == "endpoint")
      c.endpoint = value;
    else if (key == "from")
      c.from_yyyymmdd = value;
    else if (key == "field")
      c.field = value;
    else if (key == "to")
      c.new_name = value;
    else
      throw std::invalid_argument("unknown schema change option '" + key + "' in '" + spec + "'");
  }
  if (c.field.empty()) throw std::invalid_argument("schema change '" + spec + "' needs field=");
  if (c.kind == SchemaChangeKind::rename && c.new_name.empty())
    throw std::invalid_argument("rename '" + spec + "' needs to=");
  if (!c.from_yyyymmdd.empty() && !detail::parse_date_loose(c.from_yyyymmdd))
    throw std::invalid_argument("from=" + c.from_yyyymmdd + " is not a date (yyyyMMdd) in '" +
                                spec + "'");
  return c;
}

std::string effective_today(const Options& options) {
  if (!options.today.empty()) {
    if (auto day = detail::parse_date_loose(options.today)) return detail::yyyymmdd(*day);
    throw std::invalid_argument("Options::today '" + options.today + "' is not yyyyMMdd");
  }
  return detail::yyyymmdd(detail::today_in_brasilia());
}

}  // namespace pncp_sim
