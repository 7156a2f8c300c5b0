// --mes / --dia / --range / --latest (exactly one) and --endpoint, shared by the commands
// that work on a period (plan, extract, run, dry-run, ...).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plan/window.h"

namespace CLI {
class App;
}

namespace baliza::cli {

struct PeriodOptions {
  std::string mes, dia, range;
  bool latest = false;
  std::vector<std::string> endpoints;

  // with_endpoints = false for commands that do not fetch (transform, build).
  void add_to(CLI::App* cmd, bool with_endpoints = true);
  bool given() const { return !mes.empty() || !dia.empty() || !range.empty() || latest; }
  // The period asked for; a usage error when none was given.
  plan::DateRange resolve() const;
};

// The project vars that tell incremental models which period to rebuild:
// {"periodo_inicio": "2024-01-01", "periodo_fim": "2024-01-31"}.
nlohmann::json period_vars(const plan::DateRange& range);

}  // namespace baliza::cli
