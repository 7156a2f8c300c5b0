// Usage mistakes said plainly, for every command (present and future: the command tree is
// read from CLI11, nothing is listed by hand):
//   baliza ui        -> "unknown command 'ui'; did you mean 'up'? Commands: ..." (exit 2)
//   baliza dbt biuld -> "unknown command 'dbt biuld'; did you mean 'build'? ..."
//   baliza dbt run --selct x -> "unknown flag --selct for `baliza dbt run`; did you mean
//                               '--select'?"
// Checked before CLI11 parses, so `baliza trace --help` for a command that does not exist is
// an error, not the top-level help.
#pragma once

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace baliza::cli {

// The message for the first command word of argv that names no subcommand, or nullopt.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv);

// The message for the first flag of argv the command it follows does not have, or nullopt.
std::optional<std::string> unknown_flag(CLI::App& app, int argc, char** argv);

}  // namespace baliza::cli
