// Commands that drive the whole pipeline: run, demo, export, dry-run.
#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace baliza::cli {

void add_pipeline_commands(CLI::App& /*app*/, Context& /*ctx*/, int& /*exit_code*/) {}

}  // namespace baliza::cli
