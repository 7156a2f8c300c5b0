// Windows planned by volume against the PNCP simulator (real HTTP over loopback, a real DuckDB
// file): a month planned from the previous month's history fetches every record exactly once
// (the simulator's ground truth) with fewer requests than the daily plan; sparse modalidades
// are asked once, dense ones keep their days; a rerun plans nothing new; the requests the plan
// announced are the requests the run made, within the estimate.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "integration/extract_test_support.h"
#include "ops/volume_probe.h"
#include "plan/request_summary.h"
#include "plan/volume_windows.h"

namespace baliza {
namespace {

using extract_test::Extraction;

const char* const kEndpoint = "contratacoes_publicacao";

// A merged window fills at most one page of 50: with 300 contratações a day, the modalidades
// with more than 50 a day (6 and 8) are dense, the rare ones (2, 3, 10, 11) have a few a month.
const char* const kWindowed = R"(
defaults:
  window_target_pages: 1
)";

pncp_sim::Options volume_sim() {
  pncp_sim::Options o = extract_test::small_sim();
  o.volume.contratacoes_per_day = 300;
  return o;
}

class VolumeWindows : public Extraction {
 protected:
  plan::PlanRequest request(const std::string& month) const {
    return {plan::parse_month(month), {kEndpoint}, plan::Date{std::chrono::year(2024) / 6 / 30}};
  }

  // Plans `month` from history, then extracts it; returns the summary announced and the
  // requests made (answers delivered, retries excluded).
  std::pair<plan::RequestSummary, std::uint64_t> run_month(const plan::EndpointsConfig& c,
                                                           const std::string& month) {
    const plan::VolumePlan p = plan::plan_from_history(*conn, c, request(month));
    plan::apply_plan(*conn, c, p.plan, {request(month).range, {kEndpoint}}, false, "plan");
    const plan::RequestSummary summary = plan::summarize_requests(c, p);
    const plan::DateRange r = request(month).range;
    const std::string range = plan::iso_date(r.first) + ":" + plan::iso_date(r.last);
    const extract::ExtractResult result =
        extract::run_extract(*conn, c, options(range, {kEndpoint}));
    EXPECT_EQ(result.exit_code(), 0);
    return {summary, result.fetch.done};
  }

  // Tasks of `month` per modalidade: their windows' lengths in days.
  std::map<int, std::vector<std::int64_t>> windows(const std::string& month) {
    const plan::DateRange r = plan::parse_month(month);
    Result rows = conn->query(
        "SELECT modalidade, datediff('day', data_date, window_end) + 1 FROM planning.task_plan "
        "WHERE endpoint_name = '" +
        std::string(kEndpoint) + "' AND data_date BETWEEN '" + plan::iso_date(r.first) + "' AND '" +
        plan::iso_date(r.last) + "' AND removed_at IS NULL ORDER BY 1, data_date");
    std::map<int, std::vector<std::int64_t>> out;
    for (size_t i = 0; i < rows.row_count(); ++i)
      out[static_cast<int>(rows.get_int64(0, i))].push_back(rows.get_int64(1, i));
    return out;
  }

  // The simulator's records of `month` per modalidade.
  std::map<int, std::int64_t> truth_by_modalidade(const std::string& from, const std::string& to) {
    const nlohmann::json t = pncp_sim::ground_truth(sim->options(), from, to);
    std::map<int, std::int64_t> out;
    for (const auto& [day, by_modalidade] : t["endpoints"]["/v1/contratacoes/publicacao"].items())
      for (const auto& [m, n] : by_modalidade.items()) out[std::stoi(m)] += n.get<std::int64_t>();
    return out;
  }

  // Stored records of tasks starting in [from, to] (ISO), and how many distinct keys.
  std::pair<std::int64_t, std::int64_t> stored_records(const std::string& from,
                                                       const std::string& to) {
    Result r = conn->query(
        "WITH recs AS (SELECT unnest(json_extract_string(baliza_payload(p.compressed)::JSON, "
        "'$.data[*].numeroControlePNCP')) AS k FROM runtime.task_results r JOIN "
        "planning.task_plan t USING (task_id) JOIN raw.api_requests a USING (request_id) "
        "JOIN raw.payloads p USING (payload_sha256) WHERE r.superseded_at IS NULL AND "
        "t.data_date BETWEEN '" +
        from + "' AND '" + to + "') SELECT count(*), count(DISTINCT k) FROM recs");
    return {r.get_int64(0, 0), r.get_int64(1, 0)};
  }

  // Requests the daily plan needs for the truth of `month`: per day and modalidade, its pages
  // of 50 and the closing read (1 for an empty day).
  std::int64_t daily_requests(const std::string& month) {
    const plan::DateRange r = plan::parse_month(month);
    const std::string from = plan::format_date(r.first, plan::DateFormat::kCompact);
    const std::string to = plan::format_date(r.last, plan::DateFormat::kCompact);
    const nlohmann::json t = pncp_sim::ground_truth(sim->options(), from, to);
    const nlohmann::json& days = t["endpoints"]["/v1/contratacoes/publicacao"];
    std::int64_t n = 0;
    for (auto d = std::chrono::sys_days{r.first}; d <= std::chrono::sys_days{r.last};
         d += std::chrono::days{1}) {
      const std::string day = plan::format_date(plan::Date{d}, plan::DateFormat::kCompact);
      for (int m = 1; m <= 14; ++m) {
        const std::string key = std::to_string(m);
        const double count =
            days.contains(day) && days[day].contains(key) ? days[day][key].get<double>() : 0.0;
        n += static_cast<std::int64_t>(plan::window_requests(count, 50, true));
      }
    }
    return n;
  }
};

TEST_F(VolumeWindows, AFirstMonthIsProbedOncePerModalidadeAndCutByTheTotalsRead) {
  // No history: instead of every day of every modalidade, page 1 of the whole month is asked
  // once per modalidade (ops/volume_probe.h) and the month is cut by the totals it reads.
  start_sim(volume_sim());
  const plan::EndpointsConfig c = config(kWindowed);
  const plan::PlanRequest r = request("2024-03");
  plan::VolumeHistory history = plan::read_volume_history(*conn, c, r.range);
  ASSERT_TRUE(history.observed.empty());
  const ops::VolumeProbeResult probed = ops::probe_volumes(c, r, history, sim->base_url());
  EXPECT_EQ(probed.probes, 14);  // one per modalidade
  EXPECT_EQ(probed.observed, 14);
  EXPECT_EQ(probed.failed, 0);
  EXPECT_EQ(sim->stats().total_requests, 14u);
  const auto truth = truth_by_modalidade("20240301", "20240331");
  for (const auto& w : history.observed) {  // each probe read the month's true total
    const int m = std::stoi(w.partition.substr(w.partition.find(':') + 1));
    EXPECT_EQ(w.records, truth.count(m) ? truth.at(m) : 0) << w.partition;
  }
  const plan::VolumePlan p = plan::plan_by_volume(c, r, history);
  plan::apply_plan(*conn, c, p.plan, {r.range, {kEndpoint}}, false, "plan");
  const extract::ExtractResult result =
      extract::run_extract(*conn, c, options("2024-03-01:2024-03-31", {kEndpoint}));
  ASSERT_EQ(result.exit_code(), 0);
  // Every record once, against the ground truth.
  std::int64_t all = 0;
  for (const auto& [m, n] : truth) all += n;
  const auto [stored, distinct] = stored_records("2024-03-01", "2024-03-31");
  EXPECT_EQ(stored, all);
  EXPECT_EQ(distinct, all);
  // The rare modalidades are one window for the month; probes + requests beat the daily plan.
  const auto w = windows("2024-03");
  for (int m : {2, 3, 10, 11}) {
    ASSERT_EQ(w.count(m), 1u) << m;
    EXPECT_EQ(w.at(m), std::vector<std::int64_t>{31}) << m;
  }
  EXPECT_LT(static_cast<std::int64_t>(sim->stats().total_requests), daily_requests("2024-03"));
}

TEST_F(VolumeWindows, AMonthPlannedFromHistoryFetchesEveryRecordOnceWithFewerRequests) {
  start_sim(volume_sim());
  const plan::EndpointsConfig c = config(kWindowed);

  // February: no history yet, the fallback plans every day of every modalidade.
  const auto [feb_summary, feb_requests] = run_month(c, "2024-02");
  EXPECT_EQ(feb_summary.endpoints.at(0).unknown_tasks, 29 * 14);
  for (const auto& [modalidade, lengths] : windows("2024-02")) {
    EXPECT_EQ(lengths.size(), 29u) << modalidade;
  }
  EXPECT_EQ(static_cast<std::int64_t>(feb_requests), daily_requests("2024-02"));

  // March, from February's history.
  const auto [summary, requests] = run_month(c, "2024-03");
  const auto truth = truth_by_modalidade("20240301", "20240331");
  const auto march = windows("2024-03");
  std::int64_t truth_total = 0;
  for (const auto& [m, n] : truth) truth_total += n;

  // Every record exactly once.
  const auto [stored, distinct] = stored_records("2024-03-01", "2024-03-31");
  EXPECT_EQ(stored, truth_total);
  EXPECT_EQ(distinct, truth_total);
  EXPECT_EQ(duplicate_pages(), 0);

  // Sparse modalidades are asked once for the month; the dense ones keep their days.
  for (int m : {2, 3, 10, 11}) {
    EXPECT_LT(truth.count(m) ? truth.at(m) : 0, 50) << m;
    ASSERT_EQ(march.at(m).size(), 1u) << m;
    EXPECT_EQ(march.at(m)[0], 31);
  }
  for (int m : {6, 8}) {
    EXPECT_GT(truth.at(m), 31 * 50) << m;
    EXPECT_EQ(march.at(m).size(), 31u) << m;
  }
  std::int64_t tasks = 0;
  for (const auto& [m, lengths] : march) tasks += static_cast<std::int64_t>(lengths.size());
  EXPECT_LT(tasks, 31 * 14 / 2);

  // Fewer requests than the daily plan of the same records.
  const std::int64_t daily = daily_requests("2024-03");
  EXPECT_LT(static_cast<std::int64_t>(requests), daily * 9 / 10)
      << requests << " requests windowed vs " << daily << " by day";

  // What the plan announced: every task estimated, the total within 10% of what was made.
  ASSERT_EQ(summary.endpoints.size(), 1u);
  EXPECT_EQ(summary.endpoints[0].estimated_tasks, tasks);
  EXPECT_EQ(summary.endpoints[0].unknown_tasks, 0);
  EXPECT_NEAR(summary.requests(), static_cast<double>(requests), 0.1 * requests)
      << summary.requests() << " announced, " << requests << " made";

  // A rerun plans the same tasks and announces no request.
  const plan::VolumePlan again = plan::plan_from_history(*conn, c, request("2024-03"));
  const plan::PlanApplyResult r =
      plan::apply_plan(*conn, c, again.plan, {request("2024-03").range, {kEndpoint}}, false, "p");
  EXPECT_EQ(r.added, 0);
  EXPECT_EQ(r.removed, 0);
  EXPECT_EQ(plan::summarize_requests(c, again).requests(), 0);
}

// Announced = made, exactly, when the windows were observed before: March extracted day by
// day, those tasks then out of the plan (their totals stay as history), and March planned
// again by volume and fetched a second time.
TEST_F(VolumeWindows, ObservedWindowsAreAnnouncedExactly) {
  start_sim(volume_sim());
  const plan::EndpointsConfig daily_config =
      config("endpoints:\n  - name: contratacoes_publicacao\n    max_window: day\n");
  const auto [daily_summary, daily_made] = run_month(daily_config, "2024-03");
  EXPECT_EQ(static_cast<std::int64_t>(daily_made), daily_requests("2024-03"));
  // Other task ids, so that no new window is the same task (it would resume its stored pages).
  conn->execute(
      "CREATE TEMP TABLE old_tasks AS SELECT * FROM planning.task_plan; "
      "DELETE FROM planning.task_plan; "
      "INSERT INTO planning.task_plan SELECT * REPLACE (task_id || '-old' AS task_id, "
      "now()::TIMESTAMP AS removed_at, 'removed' AS status) FROM old_tasks; "
      "UPDATE runtime.task_results SET task_id = task_id || '-old'");
  const plan::EndpointsConfig c = config(kWindowed);
  const auto [summary, requests] = run_month(c, "2024-03");
  ASSERT_EQ(summary.endpoints.size(), 1u);
  EXPECT_EQ(summary.endpoints[0].estimated_tasks, 0);
  EXPECT_EQ(summary.endpoints[0].unknown_tasks, 0);
  EXPECT_GT(summary.endpoints[0].exact_tasks, 31 * 2);
  EXPECT_EQ(std::llround(summary.requests()), static_cast<long long>(requests));
  EXPECT_LT(requests, daily_made);
}

}  // namespace
}  // namespace baliza
