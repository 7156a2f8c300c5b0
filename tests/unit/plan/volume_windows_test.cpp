// Windows planned by expected volume (plan/volume_windows.h): sparse partitions once a month,
// dense days alone, the fallback without history, stored tasks kept, history read from the
// database, estimates exact or estimated.
#include "plan/volume_windows.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>

#include "db/migrations.h"
#include "plan/plan_store.h"
#include "plan/request_summary.h"
#include "unit/plan/plan_test_support.h"

namespace baliza::plan {
namespace {

using namespace std::chrono;

const char* const kEndpoints = R"(endpoints:
  - name: compras
    path: /v1/contratacoes/publicacao
    window: day
    max_window: month
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 50
    fan_out: {param: codigoModalidadeContratacao, values: [2, 6, 8]}
  - name: contratos
    path: /v1/contratos
    window: day
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 500
)";

EndpointsConfig config(const std::string& extra_defaults = "") {
  return parse_endpoints(std::string(test::kDefaults) + extra_defaults + kEndpoints,
                         "endpoints.yaml");
}

PlanRequest month(const std::string& m, std::vector<std::string> endpoints = {"compras"}) {
  return PlanRequest{parse_month(m), std::move(endpoints), Date{2024y / 12 / 31}};
}

// Observed daily windows of `modalidade` over a month: records[d] for day d (cycled).
void observe_days(VolumeHistory& h, const EndpointsConfig& c, const std::string& m, int modalidade,
                  const std::vector<std::int64_t>& records) {
  const EndpointConfig& e = *c.find("compras");
  const DateRange range = parse_month(m);
  int i = 0;
  for (auto d = sys_days{range.first}; d <= sys_days{range.last}; d += days{1}, ++i) {
    const DateRange w{Date{d}, Date{d}};
    for (const Task& t : plan_window_tasks(e, w, "fp")) {
      if (t.modalidade != modalidade) continue;
      h.observed.push_back({"compras", partition_key(e, t.params, w), w,
                            records[static_cast<std::size_t>(i) % records.size()]});
    }
  }
}

std::map<int, std::vector<DateRange>> windows_by_modalidade(const VolumePlan& p) {
  std::map<int, std::vector<DateRange>> out;
  for (const Task& t : p.plan.tasks) out[*t.modalidade].push_back({t.data_date, t.window_end});
  return out;
}

int days_of(const DateRange& w) {
  return static_cast<int>((sys_days{w.last} - sys_days{w.first}).count()) + 1;
}

// Every day of the month is in exactly one window of each modalidade.
void expect_tiles_month(const std::vector<DateRange>& windows, const std::string& m) {
  const DateRange range = parse_month(m);
  auto next = sys_days{range.first};
  for (const DateRange& w : windows) {
    EXPECT_EQ(sys_days{w.first}, next);
    next = sys_days{w.last} + days{1};
  }
  EXPECT_EQ(next, sys_days{range.last} + days{1});
}

TEST(VolumeWindows, WithoutHistoryEveryDayIsItsOwnTaskAsBefore) {
  const EndpointsConfig c = config();
  const VolumePlan p = plan_by_volume(c, month("2024-03"), {});
  const Plan daily = plan_tasks(c, month("2024-03"));
  ASSERT_EQ(p.plan.tasks.size(), 31u * 3);
  ASSERT_EQ(p.plan.tasks.size(), daily.tasks.size());
  for (std::size_t i = 0; i < daily.tasks.size(); ++i) {
    EXPECT_EQ(p.plan.tasks[i].task_id, daily.tasks[i].task_id);
    EXPECT_EQ(p.estimates[i].basis, EstimateBasis::kUnknown);
    EXPECT_EQ(p.estimates[i].requests, 1);
  }
}

TEST(VolumeWindows, ASparseModalidadeIsAskedOnceForTheMonthAndADenseOneDayByDay) {
  const EndpointsConfig c = config();
  VolumeHistory h;
  observe_days(h, c, "2024-02", 2, {0, 0, 1, 0, 0, 0, 0});  // a few records a month
  observe_days(h, c, "2024-02", 8, {2400, 2600});           // ~50 pages a day
  observe_days(h, c, "2024-02", 6, {300, 0});               // 150 a day: 3 pages
  const VolumePlan p = plan_by_volume(c, month("2024-03"), h);
  const auto windows = windows_by_modalidade(p);

  ASSERT_EQ(windows.at(2).size(), 1u);
  EXPECT_EQ(windows.at(2)[0], (DateRange{Date{2024y / 3 / 1}, Date{2024y / 3 / 31}}));
  ASSERT_EQ(windows.at(8).size(), 31u);  // dense: every day alone
  for (const DateRange& w : windows.at(8)) EXPECT_EQ(days_of(w), 1);
  // In between: several days a window, each expected within 20 pages of 50.
  EXPECT_GT(windows.at(6).size(), 1u);
  EXPECT_LT(windows.at(6).size(), 31u);
  for (const DateRange& w : windows.at(6)) EXPECT_LE(days_of(w) * 150, 20 * 50);
  for (const auto& [modalidade, list] : windows) expect_tiles_month(list, "2024-03");

  // Estimates: from February's records per day.
  double sparse = 0, dense = 0;
  for (std::size_t i = 0; i < p.plan.tasks.size(); ++i) {
    EXPECT_EQ(p.estimates[i].basis, EstimateBasis::kEstimated);
    (*p.plan.tasks[i].modalidade == 2 ? sparse : dense) += p.estimates[i].records;
  }
  EXPECT_NEAR(sparse, 31.0 * 4 / 29, 0.01);  // 4 records over February's 29 days
}

TEST(VolumeWindows, FewerRequestsThanTheDailyPlanWithinTheTarget) {
  const EndpointsConfig c = config();
  VolumeHistory h;
  observe_days(h, c, "2024-02", 2, {1, 0, 0});
  observe_days(h, c, "2024-02", 6, {120, 80, 0, 200});
  observe_days(h, c, "2024-02", 8, {900, 1200, 40});
  const VolumePlan p = plan_by_volume(c, month("2024-03"), h);
  double windowed = 0;
  for (const TaskEstimate& e : p.estimates) windowed += e.requests;
  // The same history over the daily plan (max_window day).
  EndpointsConfig daily_config = c;
  for (auto& e : daily_config.endpoints) e.max_window = Window::kDay;
  const VolumePlan daily = plan_by_volume(daily_config, month("2024-03"), h);
  double by_day = 0;
  for (const TaskEstimate& e : daily.estimates) by_day += e.requests;
  EXPECT_EQ(daily.plan.tasks.size(), 93u);
  // Modalidade 2 (a record every third day) goes from 31 requests to 2; 6 from 31 days to a
  // handful of windows; 8 keeps most of its days.
  EXPECT_LT(windowed, by_day - 60) << windowed << " vs " << by_day;
}

TEST(VolumeWindows, TheTargetPagesBoundMergedWindows) {
  VolumeHistory h;
  const EndpointsConfig narrow = config("  window_target_pages: 2\n");
  observe_days(h, narrow, "2024-02", 6, {30});  // 30 a day: 2 pages hold 3 days
  const auto windows = windows_by_modalidade(plan_by_volume(narrow, month("2024-03"), h));
  for (const DateRange& w : windows.at(6)) EXPECT_LE(days_of(w), 3);
  EXPECT_GE(windows.at(6).size(), 11u);
}

TEST(VolumeWindows, StoredTasksAreKeptSoReplanningChangesNothing) {
  const EndpointsConfig c = config();
  VolumeHistory h;
  observe_days(h, c, "2024-02", 2, {0});
  observe_days(h, c, "2024-02", 6, {0});
  observe_days(h, c, "2024-02", 8, {0});
  // March was planned day by day before (no history then): its tasks stay.
  for (const Task& t : plan_tasks(c, month("2024-03")).tasks) {
    h.stored.push_back(
        {t, partition_key(*c.find("compras"), t.params, {t.data_date, t.window_end}), "done"});
  }
  const VolumePlan p = plan_by_volume(c, month("2024-03"), h);
  ASSERT_EQ(p.plan.tasks.size(), h.stored.size());
  for (const TaskEstimate& e : p.estimates) {
    EXPECT_TRUE(e.done);
    EXPECT_EQ(e.requests, 0);
  }
  // A new month next to it is windowed: one task per modalidade.
  const VolumePlan april = plan_by_volume(c, month("2024-04"), h);
  EXPECT_EQ(april.plan.tasks.size(), 3u);
}

TEST(VolumeWindows, AWindowTiledByObservedWindowsIsKnownExactly) {
  const EndpointsConfig c = config();
  VolumeHistory h;
  observe_days(h, c, "2024-03", 2, {1, 0, 2});  // March itself was observed by day
  const VolumePlan p = plan_by_volume(c, month("2024-03"), h);
  // Day tasks are no longer in the plan (removed after a config change, say): one window.
  for (std::size_t i = 0; i < p.plan.tasks.size(); ++i) {
    if (*p.plan.tasks[i].modalidade != 2) continue;
    EXPECT_EQ(p.estimates[i].basis, EstimateBasis::kExact);
    EXPECT_EQ(p.estimates[i].records, 31);  // 10 x (1 + 0 + 2) + 1
    EXPECT_EQ(p.estimates[i].requests, 2);  // one page and the closing read
  }
}

TEST(VolumeWindows, RequestsOfAWindow) {
  EXPECT_EQ(window_requests(0, 50, true), 1);   // 204
  EXPECT_EQ(window_requests(50, 50, true), 2);  // one page + closing read
  EXPECT_EQ(window_requests(51, 50, true), 3);  // two pages + closing read
  EXPECT_NEAR(window_requests(0.5, 50, false), 1 + (1 - std::exp(-0.5)), 1e-9);
}

TEST(VolumeWindows, MaxWindowIsCheckedWithItsPlace) {
  // Over a longer window it has nothing to merge: a project that sets `window: month` over
  // the built-in endpoint gets month tasks.
  const std::string longer = std::string(test::kDefaults) + R"(endpoints:
  - name: mensal
    path: /v1/x
    window: month
    max_window: month
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 50
)";
  const EndpointsConfig monthly = parse_endpoints(longer, "endpoints.yaml");
  EXPECT_FALSE(volume_windowed(*monthly.find("mensal")));
  EXPECT_EQ(plan_by_volume(monthly, month("2024-03", {}), {}).plan.tasks.size(), 1u);
  const std::string weekly = std::string(test::kDefaults) + R"(endpoints:
  - name: x
    path: /v1/x
    window: day
    max_window: week
    date_params: {start: dataInicial, end: dataFinal}
    page_size: 50
)";
  const std::string msg2 = test::usage_message([&] { parse_endpoints(weekly, "endpoints.yaml"); });
  EXPECT_NE(msg2.find("max_window 'week'"), std::string::npos) << msg2;
  EXPECT_NE(msg2.find("endpoints.yaml:" + test::position_of(weekly, "week")), std::string::npos)
      << msg2;
}

// History read back from the database: observed totals of done tasks, stored tasks kept.
TEST(VolumeWindows, HistoryComesFromTheTasksAndResultsOfEarlierExtractions) {
  Connection conn(Database::open(":memory:"));
  apply_migrations(conn);
  const EndpointsConfig c = config();
  // February planned and "extracted": modalidade 2 empty every day, 8 with 2,000 a day.
  const Plan feb = plan_tasks(c, month("2024-02"));
  apply_plan(conn, c, feb, {parse_month("2024-02"), {"compras"}}, false, "r1");
  for (const Task& t : feb.tasks) {
    const bool dense = *t.modalidade == 8;
    conn.prepare(
            "INSERT INTO runtime.task_results (result_id, task_id, request_id, page_number, "
            "records_count, total_records, total_pages, completed_at) VALUES (gen_random_uuid()"
            "::VARCHAR, $1, 'req', 1, $2, $3, $4, now())")
        .bind(1, t.task_id)
        .bind(2, dense ? 50 : 0)
        .bind(3, dense ? std::optional<std::int64_t>(2000) : std::nullopt)
        .bind(4, dense ? 40 : 0)
        .execute();
  }
  conn.execute("UPDATE planning.task_plan SET status = 'done'");
  const VolumePlan march = plan_from_history(conn, c, month("2024-03"));
  const auto windows = windows_by_modalidade(march);
  EXPECT_EQ(windows.at(2).size(), 1u);   // empty all February: one request for March
  EXPECT_EQ(windows.at(6).size(), 1u);   // empty too
  EXPECT_EQ(windows.at(8).size(), 31u);  // 40 pages a day
  apply_plan(conn, c, march.plan, {parse_month("2024-03"), {"compras"}}, false, "r2");
  // Replanning March reads its stored tasks back: the same ids, nothing added or removed.
  const VolumePlan again = plan_from_history(conn, c, month("2024-03"));
  const PlanApplyResult r =
      apply_plan(conn, c, again.plan, {parse_month("2024-03"), {"compras"}}, false, "r3");
  EXPECT_EQ(r.added, 0);
  EXPECT_EQ(r.removed, 0);
  EXPECT_EQ(r.unchanged, 33);
  // The summary: 2 windows of one request each (empty) and 31 days of 40 pages + closing read.
  const RequestSummary s = summarize_requests(c, again, 0.5);
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.endpoints[0].tasks, 33);
  EXPECT_EQ(s.endpoints[0].estimated_tasks, 33);
  EXPECT_NEAR(s.requests(), 2 * 1 + 31 * 41, 0.5);
  EXPECT_NEAR(s.seconds(), s.requests() / 0.5, 1e-6);
  EXPECT_NE(describe_requests(s).find("compras"), std::string::npos);
}

}  // namespace
}  // namespace baliza::plan
