#include "cli/concurrency_option.h"

#include <CLI/CLI.hpp>

namespace baliza::cli {

void add_concurrency_option(CLI::App* cmd, int& concurrency) {
  cmd->add_option("--concurrency", concurrency,
                  "Requests in flight (default: baliza.yml extract.concurrency, else "
                  "endpoints.yaml, 4)")
      ->check(CLI::Range(1, 256));
}

}  // namespace baliza::cli
