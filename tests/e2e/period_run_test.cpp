// End-to-end: `baliza build --periods` on the example workforce simulation
// (projects/examples/workforce): each year builds on the previous one; the yearly results equal
// a simulation computed here in C++ from the seed files (same md5 draws, same rules); a run
// that fails at one year and is resumed gives exactly the tables of an uninterrupted run.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/baliza_cli.h"

namespace baliza {
namespace {
namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::vector<long long>> csv_numbers(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<long long>> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<long long> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) {
      bool number = !f.empty() && std::all_of(f.begin(), f.end(), ::isdigit);
      fields.push_back(number ? std::stoll(f) : 0);
    }
    rows.push_back(fields);
  }
  return rows;
}

// The first 8 hex digits of md5(text) as a number, modulo 10000 (the model's draw).
long long draw(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_md5(), nullptr);
  unsigned long long v =
      (static_cast<unsigned long long>(md[0]) << 24) | (md[1] << 16) | (md[2] << 8) | md[3];
  return static_cast<long long>(v % 10000);
}

struct Employee {
  long long id, department, level, salary;
  std::string status;
};

// "count sum terminated" per simulated year, from the seeds alone.
std::map<int, std::string> simulate(const fs::path& seeds, int first, int last) {
  std::map<long long, long long> base, raise, promo, term;
  for (const auto& r : csv_numbers(seeds / "config_levels.csv")) base[r[0]] = r[2];
  for (const auto& r : csv_numbers(seeds / "config_raise_rates.csv")) raise[r[0]] = r[1];
  for (const auto& r : csv_numbers(seeds / "config_promotion_rates.csv")) promo[r[0]] = r[1];
  for (const auto& r : csv_numbers(seeds / "config_termination_rates.csv")) term[r[0]] = r[1];
  long long max_level = base.rbegin()->first;
  std::vector<Employee> people;
  for (const auto& r : csv_numbers(seeds / "census.csv"))
    people.push_back({r[0], r[1], r[2], r[3], "active"});
  auto departments = csv_numbers(seeds / "config_departments.csv");
  std::map<int, std::string> out;
  for (int year = first; year <= last; ++year) {
    std::vector<Employee> next;
    for (const Employee& e : people) {
      if (e.status == "terminated") continue;
      std::string key = std::to_string(e.id) + ":" + std::to_string(year) + ":";
      Employee n = e;
      if (draw(key + "term") < term[e.level]) {
        n.status = "terminated";
      } else if (draw(key + "promo") < promo[e.level] && e.level < max_level) {
        n.status = "promoted";
        n.level = e.level + 1;
        n.salary = std::max(e.salary, base[n.level]);
        n.salary += n.salary * raise[n.level] / 10000;
      } else {
        n.status = "active";
        n.salary += n.salary * raise[n.level] / 10000;
      }
      next.push_back(n);
    }
    for (const auto& d : departments) {
      for (long long i = 1; i <= d[2]; ++i) {
        next.push_back({year * 100000000LL + d[0] * 1000000 + i, d[0], 1, base[1], "hired"});
      }
    }
    long long sum = 0, terminated = 0;
    for (const Employee& e : next) {
      sum += e.salary;
      terminated += e.status == "terminated";
    }
    out[year] =
        std::to_string(next.size()) + " " + std::to_string(sum) + " " + std::to_string(terminated);
    people = std::move(next);
  }
  return out;
}

class PeriodRun : public testing::BalizaCli {
 protected:
  void SetUp() override {
    for (const char* sub : {"a", "b"}) {
      fs::copy(fs::path(BALIZA_SOURCE_DIR) / "projects/examples/workforce", dir / sub,
               fs::copy_options::recursive);
      fs::remove_all(dir / sub / "data");
      fs::remove_all(dir / sub / "target");
    }
  }
  std::string q(const std::string& sub, const std::string& sql) {
    return scalar(sub + "/data/workforce.duckdb", sql);
  }
  // Every row of the yearly tables, as one digest: equal digests, equal tables.
  std::string digest(const std::string& sub) {
    return q(sub,
             "select md5(string_agg(w, '|' order by w)) from (select concat_ws(',', sim_year, "
             "employee_id, department_id, hire_year, status, level, salary) w from fct_workforce "
             "union all select concat_ws(',', 'e', sim_year, employee_id, event, level, salary) "
             "from fct_yearly_events union all select concat_ws(',', 'h', sim_year, department, "
             "headcount, payroll, hires, promotions) from fct_headcount)");
  }
};

TEST_F(PeriodRun, YearsBuildOnEachOtherAndEqualAnIndependentSimulation) {
  ASSERT_EQ(baliza("-q workflow run setup --project-dir a").exit_code, 0);
  auto r = baliza("-q build --project-dir a --periods 2025..2029 --step year -s tag:yearly");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "done: 5 period(s) run, 0 already done")) << r.out;
  std::map<int, std::string> expected = simulate(dir / "a/seeds", 2025, 2029);
  for (const auto& [year, value] : expected) {
    EXPECT_EQ(scalar("a/data/workforce.duckdb",
                     "select count(*) || ' ' || sum(salary) || ' ' || count(*) filter (where "
                     "status = 'terminated') from fct_workforce where sim_year = " +
                         std::to_string(year)),
              value)
        << year;
  }
  EXPECT_EQ(scalar("a/data/workforce.duckdb",
                   "select string_agg(period || ':' || status, ' ' order by period) from "
                   "meta.period_runs"),
            "2025:ok 2026:ok 2027:ok 2028:ok 2029:ok");
  // The record ledger balances the yearly events in every year: from the second year on, the
  // table keeps the earlier years' events, which that year's SQL does not produce (kept).
  EXPECT_EQ(scalar("a/data/workforce.duckdb",
                   "select string_agg(status, ' ' order by computed_at) from meta.model_accounting "
                   "where model = 'fct_yearly_events'"),
            "balanced balanced balanced balanced balanced");
  EXPECT_EQ(scalar("a/data/workforce.duckdb",
                   "select rows from meta.record_ledger l join meta.model_accounting a using "
                   "(run_id, unique_id) where l.model = 'fct_yearly_events' and kind = 'kept' "
                   "order by a.computed_at desc limit 1"),
            scalar("a/data/workforce.duckdb",
                   "select count(*) from fct_yearly_events where sim_year < 2029"));
  // Everything done: nothing to run again unless asked.
  r = baliza("build --project-dir a --periods 2025..2029 --step year -s tag:yearly");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.err, "all 5 periods")) << r.err;
}

TEST_F(PeriodRun, ResumingAfterAFailureEqualsAnUninterruptedRun) {
  for (const char* sub : {"a", "b"}) {
    ASSERT_EQ(baliza(std::string("-q workflow run setup --project-dir ") + sub).exit_code, 0);
  }
  std::string periods = "build --periods 2025..2029 --step year -s tag:yearly";
  ASSERT_EQ(baliza("-q " + periods + " --project-dir b").exit_code, 0);

  auto r = baliza(periods + " --project-dir a --vars '{\"fail_year\": 2027}'");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "stopped at period 2027")) << r.out;
  EXPECT_TRUE(contains(r.err, "simulated failure in 2027")) << r.err;
  // The report names the failing model even without the build's log.
  EXPECT_TRUE(contains(r.out, "error: model.workforce.fct_yearly_events: ")) << r.out;
  EXPECT_EQ(scalar("a/data/workforce.duckdb",
                   "select string_agg(period || ':' || status, ' ' order by period) from "
                   "meta.period_runs"),
            "2025:ok 2026:ok 2027:error");
  r = baliza(periods + " --project-dir a --dry-run");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, "2026  2026-01-01..2026-12-31  done")) << r.out;
  EXPECT_TRUE(contains(r.out, "2027  2027-01-01..2027-12-31  to run")) << r.out;
  EXPECT_TRUE(contains(r.out, "would run from 2027")) << r.out;

  r = baliza(periods + " --project-dir a");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "resuming at period 2027")) << r.err;
  EXPECT_FALSE(contains(r.out, "2026  ok")) << r.out;
  EXPECT_TRUE(contains(r.out, "done: 3 period(s) run, 2 already done")) << r.out;
  EXPECT_EQ(digest("a"), digest("b"));
  EXPECT_EQ(q("a", "select count(distinct sim_year) from fct_workforce"), "5");
}

TEST_F(PeriodRun, MonthsAndDaysAndBadRanges) {
  auto r = baliza("build --project-dir a --periods 2024-11..2025-02 --dry-run");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "2024-12  2024-12-01..2024-12-31  to run")) << r.out;
  EXPECT_TRUE(contains(r.out, "4 period(s)")) << r.out;
  r = baliza("build --project-dir a --periods 2024..2024 --step day --dry-run");
  EXPECT_TRUE(contains(r.out, "2024-02-29  2024-02-29..2024-02-29  to run")) << r.out;
  EXPECT_TRUE(contains(r.out, "366 period(s)")) << r.out;
  r = baliza("build --project-dir a --periods 2029..2025");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "ends before it starts")) << r.err;
  r = baliza("build --project-dir a --periods 20x5");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "not a year, month or day")) << r.err;
  r = baliza("build --project-dir a --periods 2025 --mes 2025-01");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace baliza
