// Commands of the transformation engine: transform, seed, test, build, ls, compile, validate.
#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace baliza::cli {

void add_transform_commands(CLI::App& /*app*/, Context& /*ctx*/, int& /*exit_code*/) {}

}  // namespace baliza::cli
