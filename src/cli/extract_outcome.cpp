#include "cli/extract_outcome.h"

#include "ops/extract_progress.h"

namespace baliza::cli {

void note_extract_outcome(Context& ctx, Connection& conn, const extract::ExtractResult& result,
                          const plan::DateRange& range, const std::vector<std::string>& endpoints) {
  const extract::EndpointTotals total = result.total();
  try {
    const ops::PageProgress p = ops::page_progress(conn, range, endpoints);
    ctx.count("pages done", p.pages_done);
    ctx.count(p.pages_known() ? "pages expected" : "pages expected (at least)", p.pages_expected);
    ctx.count("tasks done", p.tasks_done);
    ctx.count("tasks planned", p.tasks_planned);
    if (p.tasks_failed > 0) ctx.count("tasks failed", p.tasks_failed);
    if (p.tasks_partial > 0) ctx.count("tasks partial", p.tasks_partial);
    if (p.tasks_pending > 0) ctx.count("tasks pending", p.tasks_pending);
    bool incomplete = p.pages_done < p.pages_expected || p.tasks_failed + p.tasks_partial > 0;
    if (incomplete && result.exit_code() != 0) {
      ctx.record(true, "incomplete: " + std::to_string(p.pages_expected - p.pages_done) + " of " +
                           std::to_string(p.pages_expected) + " pages missing, " +
                           std::to_string(p.tasks_failed) + " failed and " +
                           std::to_string(p.tasks_partial) +
                           " partial task(s); see `baliza recovery-status`, then `baliza "
                           "retry-failed`");
    }
  } catch (const std::exception& e) {
    ctx.record(false, std::string("the period's page counts could not be read: ") + e.what());
  }
  ctx.count("pages stored this run", total.pages);
  ctx.count("records", total.records);
  ctx.count("429s and throttles", static_cast<int64_t>(result.fetch.throttled));
  ctx.count("retries", static_cast<int64_t>(result.fetch.retries));
  if (total.failures > 0) ctx.count("failed requests", total.failures);
  if (result.interrupted) ctx.record(true, "interrupted (Ctrl-C or SIGTERM)");
}

}  // namespace baliza::cli
