#include "ops/coordinated_extract.h"

#include "coord/plan_publish.h"
#include "coord/pull.h"
#include "coord/worker.h"

namespace baliza::ops {

extract::ExtractResult extract_through_coordinator(
    Connection& db, const std::string& url, const plan::EndpointsConfig& config,
    const extract::ExtractOptions& options, const plan::DateRange& range,
    const std::vector<std::string>& endpoints, const std::function<void(const std::string&)>& say) {
  auto pg = coord::connect_coordinator(url);
  const coord::PublishResult published = coord::publish_plan(db, *pg, range, endpoints);
  say("coordinator " + coord::redact_url(url) + ": " + std::to_string(published.tasks) +
      " task(s) published (" + std::to_string(published.changed) +
      " new or changed); extracting as one of its workers");
  coord::WorkerOptions worker;
  worker.url = url;
  extract::ExtractOptions o = options;
  o.claim_batch = o.claim_batch > 0 ? o.claim_batch : 8;
  extract::ExtractResult result = coord::run_worker(worker, config, o);
  if (!result.interrupted) {
    const coord::PullResult pulled = coord::pull_from_coordinator(db, *pg);
    say(coord::describe_pull(pulled));
  }
  return result;
}

}  // namespace baliza::ops
