// End-to-end: a workflow run that is killed (SIGKILL) or interrupted (SIGINT, SIGTERM) while a
// build step runs, on the example project (projects/examples/workforce) copied into a
// temporary folder. A killed run is shown `interrupted` by `workflow status` (its process is
// gone) and marked so in meta.workflow_runs by the next process that opens the database to
// write; an interrupted one stores `interrupted` itself and exits 130. A live run, read through
// its read socket, stays `running`.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/baliza_cli.h"
#include "support/child_process.h"

namespace baliza {
namespace {
namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class WorkflowInterrupt : public testing::BalizaCli {
 protected:
  void SetUp() override {
    fs::copy(fs::path(BALIZA_SOURCE_DIR) / "projects/examples/workforce", dir.path(),
             fs::copy_options::recursive);
    fs::remove_all(dir / "data");
    fs::remove_all(dir / "target");
    // A build that runs until it is stopped, between a seed and another build.
    write("models/slow_count.sql",
          "{{ config(materialized='table') }}\n"
          "select sum(range) as n from range(1000000000000) where range % 7 = 3\n");
    write("workflows/slow.yml",
          "steps:\n  - seed: census\n  - name: slow\n    build: slow_count\n"
          "  - build: stg_census\n");
  }
  void write(const std::string& path, const std::string& content) {
    fs::path p = dir / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  std::string q(const std::string& sql) { return scalar("data/workforce.duckdb", sql); }
  static std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Starts `workflow run slow` and waits until its slow step runs.
  std::unique_ptr<testing::Child> start_slow(const std::string& name) {
    auto child = std::make_unique<testing::Child>(
        dir.path(), std::vector<std::string>{"workflow", "run", "slow"}, name);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!contains(read(dir / (name + ".err")), "step 2/3 slow (build)") &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(contains(read(dir / (name + ".err")), "step 2/3 slow (build)"))
        << read(dir / (name + ".err"));
    return child;
  }
  nlohmann::json status_json() {
    auto r = baliza("workflow status slow --format json");
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_array() && j.size() == 1) << r.out << r.err;
    return j.is_array() && !j.empty() ? j[0] : nlohmann::json::object();
  }
};

TEST_F(WorkflowInterrupt, AKilledRunIsShownInterruptedAndTheNextWriterMarksIt) {
  auto child = start_slow("killed");
  // While it runs (read through its socket): running, and not set up.
  nlohmann::json live = status_json();
  EXPECT_EQ(live["last_run"]["status"], "running") << live.dump();
  EXPECT_EQ(live["set_up"], false);
  EXPECT_TRUE(contains(live["reason"].get<std::string>(), "in progress")) << live.dump();
  const int pid = child->pid();
  child->signal(SIGKILL);
  child->wait();

  // The row still says running; status knows better: the process is gone.
  nlohmann::json after = status_json();
  EXPECT_EQ(after["last_run"]["stored_status"], "running") << after.dump();
  EXPECT_EQ(after["last_run"]["status"], "interrupted") << after.dump();
  EXPECT_EQ(after["last_run"]["pid"], pid);
  EXPECT_TRUE(contains(after["last_run"]["message"].get<std::string>(),
                       "process " + std::to_string(pid) + " is gone"))
      << after.dump();
  EXPECT_EQ(after["set_up"], false);
  auto text = baliza("workflow status slow");
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_TRUE(contains(text.out, ": interrupted (process " + std::to_string(pid) + " is gone"))
      << text.out;

  // The next run holds the file to write: it says what it found and marks it.
  auto next = baliza("workflow run slow --only 1");
  EXPECT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_TRUE(contains(next.err, "never finished (killed?): marked interrupted")) << next.err;
  EXPECT_EQ(q("select string_agg(status, ' ' order by started_at) from meta.workflow_runs"),
            "interrupted ok");
  EXPECT_EQ(q("select count(*) from meta.workflow_runs where status = 'interrupted' and message "
              "like 'process " +
              std::to_string(pid) + " ended before the run finished%' and finished_at is not null"),
            "1");
  // The seed step it completed before the kill is kept.
  EXPECT_EQ(q("select string_agg(step || '=' || status, ' ' order by position) from "
              "meta.workflow_steps where run_id = (select run_id from meta.workflow_runs where "
              "status = 'interrupted')"),
            "seed=ok");
}

TEST_F(WorkflowInterrupt, AKilledRunIsMarkedByAnyCommandThatOpensTheDatabaseToWrite) {
  auto child = start_slow("killed");
  child->signal(SIGKILL);
  child->wait();
  // Not a workflow: a plan opens the database to write (Context::db) and fixes the row, so
  // whatever reads the table afterwards (the UI) sees interrupted.
  auto other = baliza("--db data/workforce.duckdb plan --mes 2024-01 --dry-run");
  EXPECT_EQ(other.exit_code, 0) << other.out << other.err;
  EXPECT_EQ(q("select status from meta.workflow_runs"), "interrupted");
}

TEST_F(WorkflowInterrupt, SigintAndSigtermStoreTheRunInterruptedAndExit130) {
  for (int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    std::string name = sig == SIGINT ? "sigint" : "sigterm";
    auto child = start_slow(name);
    child->signal(sig);
    EXPECT_EQ(child->wait(), 130) << read(dir / (name + ".err"));
    std::string out = read(dir / (name + ".out"));
    EXPECT_TRUE(contains(out, "interrupted")) << out;
    EXPECT_EQ(q("select status from meta.workflow_runs order by started_at desc limit 1"),
              "interrupted");
    EXPECT_EQ(q("select string_agg(status, ' ' order by position) from meta.workflow_steps "
                "where run_id = (select run_id from meta.workflow_runs order by started_at desc "
                "limit 1)"),
              "ok interrupted skipped");
    nlohmann::json s = status_json();
    EXPECT_EQ(s["last_run"]["status"], "interrupted") << s.dump();
    EXPECT_EQ(s["set_up"], false);
  }
  EXPECT_EQ(q("select count(*) from meta.workflow_runs where status = 'running'"), "0");
}

// A period run stopped by Ctrl-C records that period `interrupted` (not done): a rerun resumes
// there.
TEST_F(WorkflowInterrupt, AnInterruptedPeriodIsRecordedAndTheRerunResumesThere) {
  write("models/slow_year.sql",
        "{{ config(materialized='table') }}\n"
        "select sum(range) as n from range(case when {{ var('period_year') }} = 2026 then "
        "1000000000000 else 10 end) where range % 7 = 3\n");
  testing::Child child(dir.path(), {"build", "--periods", "2025..2027", "-s", "slow_year"},
                       "periods");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto started_2026 = [&] {
    std::string err = read(dir / "periods.err");
    size_t at = err.find("period 2026");
    return at != std::string::npos && err.find("START", at) != std::string::npos;
  };
  while (!started_2026() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(started_2026()) << read(dir / "periods.err");
  child.signal(SIGINT);
  EXPECT_EQ(child.wait(), 130) << read(dir / "periods.err");
  EXPECT_TRUE(contains(read(dir / "periods.out"), "interrupted at period 2026"))
      << read(dir / "periods.out");
  EXPECT_EQ(q("select string_agg(period || '=' || status, ' ' order by position) from "
              "meta.period_runs"),
            "2025=ok 2026=interrupted");
  auto plan = baliza("build --periods 2025..2027 -s slow_year --dry-run");
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_TRUE(contains(plan.out, "would run from 2026")) << plan.out;
}

}  // namespace
}  // namespace baliza
