#include "ops/periods.h"

#include <algorithm>

#include "core/error.h"
#include "core/sha256.h"

namespace baliza::ops {
namespace {

const char* kForms =
    "; write FIRST..LAST with years (2025..2029), months (2025-01..2025-06) or days "
    "(2025-03-01..2025-03-31), or one of them alone";

// A year, month or day as its whole range and its precision.
std::pair<plan::DateRange, plan::Window> parse_end(const std::string& text,
                                                   const std::string& spec) {
  try {
    if (text.size() == 4 && std::all_of(text.begin(), text.end(), ::isdigit)) {
      plan::DateRange first = plan::parse_month(text + "-01");
      plan::DateRange last = plan::parse_month(text + "-12");
      return {{first.first, last.last}, plan::Window::kYear};
    }
    if (text.size() == 7) return {plan::parse_month(text), plan::Window::kMonth};
    if (text.size() == 10) return {plan::parse_day(text), plan::Window::kDay};
  } catch (const Error&) {
  }
  throw usage_error("--periods " + spec + ": '" + text + "' is not a year, month or day" + kForms);
}

std::string label_of(const plan::DateRange& r, plan::Window w) {
  std::string iso = plan::iso_date(r.first);
  if (w == plan::Window::kYear) return iso.substr(0, 4);
  if (w == plan::Window::kMonth) return iso.substr(0, 7);
  return iso;
}

}  // namespace

std::vector<Period> parse_periods(const std::string& spec, const std::string& step) {
  std::string a = spec, b = spec;
  if (auto dots = spec.find(".."); dots != std::string::npos) {
    a = spec.substr(0, dots);
    b = spec.substr(dots + 2);
  }
  auto [first, precision] = parse_end(a, spec);
  auto [last, ignored] = parse_end(b, spec);
  (void)ignored;
  if (last.last < first.first) {
    throw usage_error("--periods " + spec + ": the range ends before it starts" + kForms);
  }
  plan::Window window = step.empty() ? precision : plan::parse_window(step);
  std::vector<Period> out;
  for (const plan::DateRange& w : plan::enumerate_windows({first.first, last.last}, window)) {
    out.push_back({label_of(w, window), w, static_cast<int>(out.size())});
  }
  if (out.size() > 100000) {
    throw usage_error("--periods " + spec + " makes " + std::to_string(out.size()) +
                      " periods; use a longer --step or a shorter range");
  }
  return out;
}

nlohmann::json period_vars(const Period& p, std::size_t count) {
  std::string start = plan::iso_date(p.range.first), end = plan::iso_date(p.range.last);
  return {{"period", p.label},
          {"period_start", start},
          {"period_end", end},
          {"period_year", static_cast<int>(p.range.first.year())},
          {"period_month", static_cast<unsigned>(p.range.first.month())},
          {"period_index", p.index},
          {"period_count", count},
          {"periodo_inicio", start},
          {"periodo_fim", end}};
}

std::string period_series(const std::string& project, const std::string& command,
                          const std::vector<std::string>& select,
                          const std::vector<std::string>& exclude, const std::string& step) {
  std::string key = project + "\n" + command + "\n" + step + "\n";
  for (const std::string& s : select) key += "s:" + s + "\n";
  for (const std::string& s : exclude) key += "x:" + s + "\n";
  return sha256_hex(key).substr(0, 16);
}

std::set<std::string> completed_periods(Connection& conn, const std::string& series) {
  auto st = conn.prepare(
      "SELECT period FROM meta.period_runs WHERE series = $1 "
      "QUALIFY row_number() OVER (PARTITION BY period ORDER BY finished_at DESC) = 1 "
      "AND status = 'ok'");
  Result r = st.bind(1, series).execute();
  std::set<std::string> out;
  for (std::size_t i = 0; i < r.row_count(); ++i) out.insert(r.get_string(0, i));
  return out;
}

std::size_t completed_prefix(const std::vector<Period>& periods,
                             const std::set<std::string>& done) {
  std::size_t n = 0;
  while (n < periods.size() && done.count(periods[n].label)) ++n;
  return n;
}

void record_period(Connection& conn, const std::string& series, const std::string& run_id,
                   const Period& p, const std::string& status, const std::string& started_at,
                   const std::string& finished_at, double seconds,
                   const std::string& command_line) {
  auto st = conn.prepare(
      "INSERT INTO meta.period_runs (series, run_id, position, period, period_start, period_end, "
      "status, started_at, finished_at, seconds, command_line) VALUES ($1, $2, $3, $4, "
      "$5::DATE, $6::DATE, $7, $8::TIMESTAMP, $9::TIMESTAMP, $10, $11)");
  st.bind(1, series).bind(2, run_id).bind(3, p.index + 1).bind(4, p.label);
  st.bind(5, plan::iso_date(p.range.first)).bind(6, plan::iso_date(p.range.last));
  st.bind(7, status).bind(8, started_at).bind(9, finished_at).bind(10, seconds);
  st.bind(11, command_line).execute();
}

}  // namespace baliza::ops
