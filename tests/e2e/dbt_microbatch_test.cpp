// End-to-end: microbatch incremental models (dbt's incremental_strategy='microbatch') on a small
// dbt project: a first build from `begin`, incremental runs that rebuild only the current batch
// and `lookback` before it (late rows inside the lookback picked up, outside it not), explicit
// --event-time-start/--event-time-end, --full-refresh, a failing batch reported as partial
// success and rebuilt alone by `baliza dbt retry`. Every expected table is computed by DuckDB
// directly on the seed CSVs with the batch windows written out in SQL.
#include <chrono>
#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>

#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

// Events of 2024-01-01 .. 2024-01-06; `extra` adds late-arriving rows.
std::string events_csv(const std::string& extra = "") {
  return "id,ts,amount\n"
         "1,2024-01-01 08:00:00,10\n2,2024-01-01 23:59:59,20\n3,2024-01-02 12:00:00,30\n"
         "4,2024-01-03 00:00:00,40\n5,2024-01-03 18:30:00,50\n6,2024-01-04 09:00:00,60\n"
         "7,2024-01-05 07:00:00,70\n8,2024-01-06 01:00:00,80\n" +
         extra;
}

class DbtMicrobatch : public testing::DbtProject {
 protected:
  void write_project(const std::string& model_config) {
    write("seeds/raw_events.csv", events_csv());
    write("seeds/kinds.csv", "parity,label\n0,even\n1,odd\n");
    // raw_events declares event_time: refs to it are filtered per batch; kinds does not.
    write("seeds/schema.yml",
          "version: 2\nseeds:\n  - name: raw_events\n    config:\n      event_time: ts\n"
          "      column_types: {ts: timestamp}\n");
    write("models/events.sql",
          "{{ config(materialized='incremental', incremental_strategy='microbatch', "
          "event_time='ts', " +
              model_config +
              ") }}\n"
              "select e.id, e.ts, e.amount * 2 as doubled, k.label\n"
              "from {{ ref('raw_events') }} e join {{ ref('kinds') }} k on k.parity = e.id % 2\n");
  }

  // The model's rows as DuckDB computes them from `csv_file` for the rows `where` keeps.
  std::string expected(const std::string& csv_file, const std::string& where) {
    return csv(
        "select id, ts, amount * 2 as doubled, case when id % 2 = 0 then 'even' else "
        "'odd' end as label from read_csv('" +
        csv_file + "', types = {'ts': 'TIMESTAMP'}) where " + where + " order by id");
  }
  std::string built() { return csv("select id, ts, doubled, label from main.events order by id"); }

  nlohmann::json run_result(const std::string& unique_id) {
    std::ifstream in(dir / "target/run_results.json");
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_discarded()) {
      for (const auto& r : doc["results"])
        if (r["unique_id"] == unique_id) return r;
    }
    ADD_FAILURE() << unique_id << " not in run_results.json";
    return nlohmann::json::object();
  }
};

TEST_F(DbtMicrobatch, FirstRunFromBeginThenLookbackLateRowsAndFullRefresh) {
  write_project("batch_size='day', begin='2024-01-01', lookback=1");
  // First build: every day from begin up to --event-time-end.
  auto first = dbt("build --event-time-end 2024-01-05");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(built(), expected("seeds/raw_events.csv", "ts < '2024-01-05'"));
  EXPECT_TRUE(contains(first.err, "Batch 4 of 4 OK created batch 2024-01-04 of main.events"))
      << first.err;
  nlohmann::json r = run_result("model.shop.events");
  EXPECT_EQ(r["status"], "success");
  EXPECT_EQ(r["batch_results"]["successful"].size(), 4u) << r.dump();
  EXPECT_EQ(r["batch_results"]["successful"][0][0], "2024-01-01T00:00:00+00:00") << r.dump();

  // Late rows arrive: one on 01-04 (inside the lookback of a run ending 01-06), one on 01-02
  // (outside it); a 01-04 row and a 01-01 row change.
  write("v1.csv", events_csv());
  std::string late = events_csv("9,2024-01-04 23:00:00,90\n10,2024-01-02 05:00:00,100\n");
  late.replace(late.find("6,2024-01-04 09:00:00,60"), 24, "6,2024-01-04 09:00:00,66");
  late.replace(late.find("1,2024-01-01 08:00:00,10"), 24, "1,2024-01-01 08:00:00,11");
  write("seeds/raw_events.csv", late);
  ASSERT_EQ(dbt("seed").exit_code, 0);
  auto second = dbt("run --event-time-end 2024-01-06");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  // Rebuilt: the batch ending at 01-06 (01-05) and lookback 1 before it (01-04); the rest
  // stays as the first run built it.
  EXPECT_TRUE(contains(second.err, "Batch 1 of 2 START batch 2024-01-04")) << second.err;
  EXPECT_EQ(csv("select id, ts, doubled, label from main.events where ts < '2024-01-04' order "
                "by id"),
            expected("v1.csv", "ts < '2024-01-04'"));
  EXPECT_EQ(csv("select id, ts, doubled, label from main.events where ts >= '2024-01-04' order "
                "by id"),
            expected("seeds/raw_events.csv", "ts >= '2024-01-04' and ts < '2024-01-06'"));

  // An explicit window rebuilds just that batch: the late 01-02 row appears.
  ASSERT_EQ(dbt("run --event-time-start 2024-01-02 --event-time-end 2024-01-03").exit_code, 0);
  EXPECT_EQ(csv("select count(*) as n from main.events where id = 10"), "n\n1\n");
  EXPECT_EQ(csv("select doubled from main.events where id = 1"), "doubled\n20\n");  // not rebuilt

  // --full-refresh: everything again from begin.
  auto full = dbt("run --full-refresh --event-time-end 2024-01-07");
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(built(), expected("seeds/raw_events.csv", "ts < '2024-01-07'"));
}

// Without --event-time-end the batches end with the current one (UTC now). Rows are placed
// relative to now so that the test holds at any time of day: 50 minutes ago is always in the
// current batch or the one before it (the runs are minutes apart); five hours ago never is,
// with batch_size hour.
TEST_F(DbtMicrobatch, LookbackIsCountedFromNow) {
  auto ago = [](int minutes) {
    std::time_t t = std::time(nullptr) - minutes * 60;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return std::string(buf);
  };
  write_project("batch_size='hour', begin=var('begin'), lookback=1");
  write("seeds/raw_events.csv",
        "id,ts,amount\n1," + ago(600) + ",1\n2," + ago(300) + ",2\n3," + ago(90) + ",3\n");
  std::string vars = "--vars \"{begin: '" + ago(720) + "'}\"";
  ASSERT_EQ(dbt("build " + vars).exit_code, 0);
  EXPECT_EQ(csv("select string_agg(id::varchar, '-' order by id) as ids from main.events"),
            "ids\n1-2-3\n");
  write("seeds/raw_events.csv", "id,ts,amount\n1," + ago(600) + ",1\n2," + ago(300) + ",2\n3," +
                                    ago(90) + ",3\n4," + ago(50) + ",4\n5," + ago(300) + ",5\n");
  ASSERT_EQ(dbt("seed " + vars).exit_code, 0);  // vars: the project is parsed
  auto r = dbt("run " + vars);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "Batch 2 of 2 OK created")) << r.err;
  // 4 (50 minutes ago) is inside the lookback; 5 (five hours ago) is not.
  EXPECT_EQ(csv("select string_agg(id::varchar, '-' order by id) as ids from main.events"),
            "ids\n1-2-3-4\n");
}

TEST_F(DbtMicrobatch, AFailedBatchIsReportedAndRetriedAlone) {
  write_project("batch_size='day', begin='2024-01-01'");
  // A negative amount makes its batch fail (DuckDB's error()).
  write("models/events.sql",
        "{{ config(materialized='incremental', incremental_strategy='microbatch', "
        "event_time='ts', batch_size='day', begin='2024-01-01') }}\n"
        "select id, ts, case when amount < 0 then error('negative amount in event ' || id) "
        "else amount end as amount from {{ ref('raw_events') }}\n");
  write("models/totals.sql", "select sum(amount) as total from {{ ref('events') }}\n");
  std::string bad = events_csv();
  bad.replace(bad.find("5,2024-01-03 18:30:00,50"), 24, "5,2024-01-03 18:30:00,-5");
  write("seeds/raw_events.csv", bad);
  auto r = dbt("build --event-time-end 2024-01-05");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "PARTIAL SUCCESS")) << r.err;
  EXPECT_TRUE(contains(r.err, "negative amount in event 5")) << r.err;
  EXPECT_TRUE(contains(r.err, "batch [2024-01-03 00:00:00, 2024-01-04 00:00:00)")) << r.err;
  EXPECT_TRUE(contains(r.err, "models/events.sql")) << r.err;
  nlohmann::json result = run_result("model.shop.events");
  EXPECT_EQ(result["status"], "partial success");
  EXPECT_EQ(
      result["batch_results"]["failed"],
      nlohmann::json::parse(R"([["2024-01-03T00:00:00+00:00","2024-01-04T00:00:00+00:00"]])"));
  EXPECT_EQ(run_result("model.shop.totals")["status"], "skipped");
  // The other batches were built.
  EXPECT_EQ(csv("select string_agg(id::varchar, '-' order by id) as ids from main.events"),
            "ids\n1-2-3-6\n");

  // The model fixed (negative amounts kept); retry runs the failed batch only (and what was
  // skipped). (Not a reseed: `dbt retry` reads the last run's results, as dbt's does.)
  write("models/events.sql",
        "{{ config(materialized='incremental', incremental_strategy='microbatch', "
        "event_time='ts', batch_size='day', begin='2024-01-01') }}\n"
        "select id, ts, amount from {{ ref('raw_events') }}\n");
  auto retry = dbt("retry");
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_TRUE(contains(retry.err, "Batch 1 of 1 OK created batch 2024-01-03")) << retry.err;
  EXPECT_EQ(csv("select id, ts, amount from main.events order by id"),
            csv("select id, ts, amount from read_csv('seeds/raw_events.csv', types = {'ts': "
                "'TIMESTAMP'}) where ts < '2024-01-05' order by id"));
  EXPECT_EQ(csv("select total from main.totals"),
            csv("select sum(amount) as total from read_csv('seeds/raw_events.csv') where ts < "
                "'2024-01-05'"));
}

TEST_F(DbtMicrobatch, ConfigAndFlagErrorsSayWhereAndHow) {
  write_project("batch_size='days', begin='2024-01-01'");
  auto week = dbt("build");
  EXPECT_EQ(week.exit_code, 2) << week.err;
  EXPECT_TRUE(contains(week.err, "did you mean")) << week.err;
  EXPECT_TRUE(contains(week.err, "models/events.sql")) << week.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "shop.duckdb"));

  write_project("batch_size='day'");
  auto no_begin = dbt("build");
  EXPECT_EQ(no_begin.exit_code, 2) << no_begin.err;
  EXPECT_TRUE(contains(no_begin.err, "model events (models/events.sql) needs begin"))
      << no_begin.err;

  write_project("batch_size='day', begin='2024-01-01'");
  auto flag = dbt("run --event-time-start 2024-02-30");
  EXPECT_EQ(flag.exit_code, 2) << flag.err;
  EXPECT_TRUE(contains(flag.err, "--event-time-start '2024-02-30' is not a date")) << flag.err;
  auto order = dbt("run --event-time-start 2024-01-03 --event-time-end 2024-01-02");
  EXPECT_EQ(order.exit_code, 2) << order.err;
  EXPECT_TRUE(contains(order.err, "must be before --event-time-end")) << order.err;
}

}  // namespace
}  // namespace baliza
