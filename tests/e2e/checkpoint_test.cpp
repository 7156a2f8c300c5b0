// `baliza checkpoint` and `baliza rollback` as a user runs them (ops/checkpoint.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "db/database.h"
#include "support/baliza_cli.h"
#include "support/db_dump.h"

namespace baliza {
namespace {

namespace fs = std::filesystem;

class CheckpointCli : public testing::BalizaCli {
 protected:
  void SetUp() override {
    ASSERT_EQ(baliza("init -q").exit_code, 0);
    auto r = baliza(
        "query \"create schema marts; create table marts.t as select range as i, 'v' || range "
        "as v from range(1000); create view marts.w as select count(*) n from marts.t\"");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string db() const { return (dir / "data" / "baliza.duckdb").string(); }
};

TEST_F(CheckpointCli, RollbackRestoresEveryRelationAndRowAfterSayingWhatChanges) {
  auto c = baliza("checkpoint --name before-change");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("checkpoint 1 'before-change': data/baliza.duckdb.checkpoints/1.duckdb"),
            std::string::npos)
      << c.out;
  std::string before = testing::dump_database(db());
  auto change = baliza(
      "query \"delete from marts.t where i < 10; drop view marts.w; create table main.extra as "
      "select 42 as x\"");
  ASSERT_EQ(change.exit_code, 0) << change.err;
  std::string changed = testing::dump_database(db());

  auto dry = baliza("rollback --to-checkpoint before-change --dry-run");
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("rows     marts.t: 990 -> 1,000"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("restores view marts.w"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("removes  table main.extra (1 row)"), std::string::npos) << dry.out;
  EXPECT_EQ(testing::dump_database(db()), changed);

  auto rb = baliza("rollback --to-checkpoint 1");
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_NE(rb.out.find("rows     marts.t: 990 -> 1,000"), std::string::npos) << rb.out;
  EXPECT_NE(rb.out.find("restored checkpoint 1 into data/baliza.duckdb"), std::string::npos);
  EXPECT_EQ(testing::dump_database(db()), before);
  // The state it replaced became checkpoint 2: the rollback itself can be undone.
  auto undo = baliza("rollback --to-checkpoint 2");
  ASSERT_EQ(undo.exit_code, 0) << undo.err;
  EXPECT_EQ(testing::dump_database(db()), changed);

  auto list = baliza("checkpoint --list --format csv");
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("id,name,reason,created_at,age_seconds,size_bytes,relations,rows"),
            std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("\n1,before-change,manual,"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\n2,,before rollback to 1,"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\n3,,before rollback to 2,"), std::string::npos) << list.out;
}

TEST_F(CheckpointCli, RollbackIsRefusedWhileAnotherProcessHoldsTheDatabase) {
  ASSERT_EQ(baliza("checkpoint").exit_code, 0);
  ASSERT_EQ(baliza("query \"drop table marts.t cascade\"").exit_code, 0);
  std::string changed = testing::dump_database(db());
  testing::ProcessResult r;
  {
    Connection holder(Database::open(db()));  // this test process holds the file
    r = baliza("rollback --to-checkpoint 1");
  }
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("is locked by process " + std::to_string(getpid())), std::string::npos)
      << r.err;
  EXPECT_EQ(testing::dump_database(db()), changed);
  EXPECT_FALSE(fs::exists(db() + ".restore.tmp"));
}

TEST_F(CheckpointCli, ResetTakesACheckpointThatRollbackBringsBack) {
  std::string before = testing::dump_database(db());
  auto reset = baliza("reset --force");
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_NE(reset.err.find("checkpoint 1 taken"), std::string::npos) << reset.err;
  EXPECT_FALSE(fs::exists(db()));
  auto rb = baliza("rollback --to-checkpoint 1");
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_NE(rb.out.find("restores table marts.t (1,000 rows)"), std::string::npos) << rb.out;
  EXPECT_EQ(testing::dump_database(db()), before);
}

TEST_F(CheckpointCli, PruneKeepsTheConfiguredCountAndUnknownCheckpointsAreUsageErrors) {
  std::ofstream(dir / "baliza.yml", std::ios::app) << "checkpoints:\n  keep: 2\n";
  for (int i = 0; i < 4; ++i) ASSERT_EQ(baliza("checkpoint -q").exit_code, 0);
  auto list = baliza("checkpoint --list --format csv");
  EXPECT_EQ(list.out.find("\n1,"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("\n2,"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\n3,"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\n4,"), std::string::npos) << list.out;
  auto missing = baliza("rollback --to-checkpoint nope");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no checkpoint 'nope'"), std::string::npos) << missing.err;
  auto bad = baliza("checkpoint --name 'not ok'");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  std::ofstream(dir / "baliza.yml", std::ios::app) << "  kept: 3\n";
  auto typo = baliza("checkpoint");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown key checkpoints.kept at"), std::string::npos) << typo.err;
}

TEST(CheckpointWorkflow, RollbackAfterAWorkflowsClearRestoresEveryRelationAndRow) {
  testing::TempDir dir;
  fs::copy(fs::path(BALIZA_SOURCE_DIR) / "projects/examples/workforce", dir.path(),
           fs::copy_options::recursive);
  fs::remove_all(dir / "data");
  auto run = [&](const std::string& args) {
    return testing::run_command(std::string("env -u BALIZA_DB ") + BALIZA_BIN + " " + args,
                                dir.path());
  };
  std::string db = (dir / "data" / "workforce.duckdb").string();
  auto setup = run("workflow run setup");
  ASSERT_EQ(setup.exit_code, 0) << setup.out << setup.err;
  // Every relation outside Baliza's own bookkeeping (meta records the runs themselves).
  const std::string user = "schema_name <> 'meta'";
  std::string before = testing::dump_database(db, user);
  auto clear = run("workflow run setup --only clear");
  ASSERT_EQ(clear.exit_code, 0) << clear.out << clear.err;
  // The clear step took a checkpoint first (listed with its reason).
  auto list = run("checkpoint --list --format csv");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto at = list.out.find(",,workflow setup: clear,");
  ASSERT_NE(at, std::string::npos) << list.out;
  std::string id = list.out.substr(list.out.rfind('\n', at) + 1);
  id = id.substr(0, id.find(','));
  ASSERT_NE(testing::dump_database(db, user), before) << "the clear dropped nothing";
  auto rb = run("rollback --to-checkpoint " + id);
  ASSERT_EQ(rb.exit_code, 0) << rb.out << rb.err;
  EXPECT_NE(rb.out.find("main.stg_census"), std::string::npos) << rb.out;
  EXPECT_EQ(testing::dump_database(db, user), before);
}

}  // namespace
}  // namespace baliza
