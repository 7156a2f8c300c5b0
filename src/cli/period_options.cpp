#include "cli/period_options.h"

#include <CLI/CLI.hpp>

#include "core/error.h"

namespace baliza::cli {

void PeriodOptions::add_to(CLI::App* cmd, bool with_endpoints) {
  auto* m = cmd->add_option("--mes", mes, "A month, e.g. 2024-01");
  auto* d = cmd->add_option("--dia", dia, "A day, e.g. 2024-01-15");
  auto* r = cmd->add_option("--range", range, "Inclusive dates, e.g. 2024-01-01:2024-03-31");
  auto* l = cmd->add_flag("--latest", latest, "The last complete month");
  m->excludes(d, r, l);
  d->excludes(r, l);
  r->excludes(l);
  if (with_endpoints) cmd->add_option("--endpoint", endpoints, "Only these endpoints (repeatable)");
}

plan::DateRange PeriodOptions::resolve() const {
  if (!mes.empty()) return plan::parse_month(mes);
  if (!dia.empty()) return plan::parse_day(dia);
  if (!range.empty()) return plan::parse_range(range);
  if (latest) return plan::latest_complete_month(plan::today_local());
  throw usage_error(
      "say which period: --mes 2024-01, --dia 2024-01-15, --range 2024-01-01:2024-03-31 or "
      "--latest");
}

nlohmann::json period_vars(const plan::DateRange& range) {
  return {{"periodo_inicio", plan::iso_date(range.first)},
          {"periodo_fim", plan::iso_date(range.last)}};
}

}  // namespace baliza::cli
