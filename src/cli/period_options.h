// --mes / --dia / --range / --latest (exactly one) and --endpoint, shared by the commands
// that work on a period (plan, extract, run, dry-run, ...).
#pragma once

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

  void add_to(CLI::App* cmd);
  // The period asked for; a usage error when none was given.
  plan::DateRange resolve() const;
};

}  // namespace baliza::cli
