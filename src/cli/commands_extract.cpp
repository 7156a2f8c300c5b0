// Commands of the extraction side: plan, extract, retry-failed, recovery-status, verify.
#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace baliza::cli {

void add_extract_commands(CLI::App& /*app*/, Context& /*ctx*/, int& /*exit_code*/) {}

}  // namespace baliza::cli
