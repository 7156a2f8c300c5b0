// `--concurrency N` of the commands that fetch (extract, retry-failed, verify, worker, run,
// demo): requests in flight, 1..256. 0 (not given) leaves the choice to baliza.yml's
// extract.concurrency (and its overrides), else to endpoints.yaml; each command applies that
// order where it builds its options.
#pragma once

namespace CLI {
class App;
}

namespace baliza::cli {

void add_concurrency_option(CLI::App* cmd, int& concurrency);

}  // namespace baliza::cli
