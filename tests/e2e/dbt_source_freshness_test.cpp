// End-to-end: `baliza dbt source freshness` on a dbt project whose raw tables are loaded with
// timestamps relative to now (30 minutes, 3 hours, 3 days and 10 days old, an empty table):
// each source's status follows its merged policy (project +freshness, source, table and table
// config layers, filter), sources.json validates against dbt's v3 schema, and the exit code
// is dbt's (1 when a source is stale past error_after or cannot be checked, else 0).
#include <nlohmann/json.hpp>

#include <fstream>

#include "e2e/dbt_fixture.h"

namespace baliza {
namespace {

using testing::contains;

std::filesystem::path schema_dir() {
  const char* env = std::getenv("BALIZA_SHARED_DIR");
  return std::filesystem::path(env && *env ? env : BALIZA_SHARED_DIR) / "dbt-schemas";
}

class DbtSourceFreshness : public testing::DbtProject {
 protected:
  void SetUp() override {
    DbtProject::SetUp();
    write("dbt_project.yml",
          "name: shop\nversion: '1.0'\nconfig-version: 2\nprofile: shop\n"
          "sources:\n  +freshness:\n    warn_after: {count: 12, period: hour}\n");
    // Naive timestamps are UTC (timezone('UTC', now())), as dbt takes them.
    auto load = baliza(
        "--db shop.duckdb query \"create schema landing; "
        "create table landing.orders as select 1 as id, timezone('UTC', now()) - interval 30 "
        "minute "
        "as loaded_at; "
        "create table landing.customers as select 1 as id, now() - interval 3 hour as updated_at; "
        "create table landing.events as select * from (values ('real', timezone('UTC', now()) - "
        "interval 3 day), ('test', timezone('UTC', now()) - interval 10 minute)) t(kind, ts); "
        "create table landing.dates as select current_date - 10 as d; "
        "create table landing.empty (ts timestamp); "
        "create table landing.quiet as select timezone('UTC', now()) - interval 400 day as "
        "loaded_at; "
        "create table landing.nofield as select 1 as id\"");
    EXPECT_EQ(load.exit_code, 0) << load.err;
    write("models/sources.yml",
          "version: 2\nsources:\n"
          "  - name: raw\n    schema: landing\n    loaded_at_field: loaded_at\n"
          "    freshness:\n      warn_after: {count: 1, period: hour}\n"
          "      error_after: {count: 1, period: day}\n"
          "    tables:\n"
          "      - name: orders\n"
          "      - name: customers\n        loaded_at_field: updated_at\n"
          "      - name: events\n        loaded_at_field: ts\n        freshness:\n"
          "          error_after: {count: 2, period: day}\n"
          "          filter: \"kind <> 'test'\"\n"
          "      - name: dates\n        loaded_at_field: d\n        config:\n"
          "          freshness:\n            warn_after: {count: 1, period: day}\n"
          "            error_after: {count: 30, period: day}\n"
          "      - name: empty\n        loaded_at_field: ts\n"
          "      - name: quiet\n        freshness: null\n"
          "  - name: other\n    schema: landing\n    tables:\n      - name: nofield\n");
    write("models/orders_view.sql", "select * from {{ source('raw', 'orders') }}\n");
  }

  nlohmann::json read_json(const std::string& path) {
    std::ifstream in(dir / path);
    return nlohmann::json::parse(in);
  }

  // unique_id -> result object of sources.json.
  std::map<std::string, nlohmann::json> results(const std::string& path) {
    std::map<std::string, nlohmann::json> out;
    nlohmann::json doc = read_json(path);
    for (const auto& r : doc["results"]) out[r["unique_id"].get<std::string>()] = r;
    return out;
  }
};

TEST_F(DbtSourceFreshness, StatusesFollowTheMergedPolicyAndTheArtifactValidates) {
  auto r = dbt("source freshness");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // events is stale past error_after
  auto res = results("target/sources.json");
  ASSERT_EQ(res.size(), 6u) << r.out;  // raw.quiet turned its freshness off
  EXPECT_EQ(res["source.shop.raw.orders"]["status"], "pass");
  EXPECT_EQ(res["source.shop.raw.customers"]["status"], "warn");  // TIMESTAMPTZ, 3 hours
  EXPECT_EQ(res["source.shop.raw.events"]["status"], "error");    // the 10-minute row filtered
  EXPECT_EQ(res["source.shop.raw.dates"]["status"], "warn");      // 10 days: warn 1d, error 30d
  EXPECT_EQ(res["source.shop.raw.empty"]["status"], "runtime error");
  EXPECT_TRUE(contains(res["source.shop.raw.empty"]["error"].get<std::string>(), "null"))
      << res["source.shop.raw.empty"];
  EXPECT_EQ(res["source.shop.other.nofield"]["status"], "runtime error");
  // The project's +freshness reaches a source with none of its own; it has no loaded_at_field.
  EXPECT_TRUE(
      contains(res["source.shop.other.nofield"]["error"].get<std::string>(), "loaded_at_field"));
  EXPECT_EQ(res.count("source.shop.raw.quiet"), 0u);

  // Criteria as merged: the table's error_after and filter over the source's warn_after.
  const nlohmann::json& events = res["source.shop.raw.events"]["criteria"];
  EXPECT_EQ(events["warn_after"], nlohmann::json({{"count", 1}, {"period", "hour"}}));
  EXPECT_EQ(events["error_after"], nlohmann::json({{"count", 2}, {"period", "day"}}));
  EXPECT_EQ(events["filter"], "kind <> 'test'");
  double age = res["source.shop.raw.orders"]["max_loaded_at_time_ago_in_s"];
  EXPECT_GT(age, 1790.0);
  EXPECT_LT(age, 3600.0);
  EXPECT_TRUE(contains(r.out, "PASS freshness of raw.orders")) << r.out;
  EXPECT_TRUE(contains(r.out, "ERROR STALE freshness of raw.events")) << r.out;

  ASSERT_TRUE(std::filesystem::exists(schema_dir() / "sources" / "v3.json")) << schema_dir();
  auto v = testing::run_command(
      "python3 '" + std::string(BALIZA_SOURCE_DIR) + "/tests/e2e/dbt_artifact_validate.py' '" +
          (schema_dir() / "sources" / "v3.json").string() + "' target/sources.json",
      dir.path());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_F(DbtSourceFreshness, WarningsAloneExitZeroAndOutputGoesWhereAsked) {
  auto r = dbt("source freshness -s source:raw.orders source:raw.customers -o fresh.json");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto res = results("fresh.json");
  EXPECT_EQ(res.size(), 2u);
  EXPECT_EQ(res["source.shop.raw.customers"]["status"], "warn");
  EXPECT_TRUE(contains(r.out, "PASS=1 WARN=1")) << r.out;
}

TEST_F(DbtSourceFreshness, AnInvalidPolicyIsAUsageErrorWithItsPlace) {
  write("models/bad.yml",
        "version: 2\nsources:\n  - name: bad\n    tables:\n      - name: t\n"
        "        freshness:\n          warn_after: {count: 1, period: week}\n");
  auto r = dbt("source freshness");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "models/bad.yml:7")) << r.err;
  EXPECT_TRUE(contains(r.err, "minute, hour or day")) << r.err;
}

}  // namespace
}  // namespace baliza
