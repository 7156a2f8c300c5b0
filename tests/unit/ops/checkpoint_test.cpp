#include "ops/checkpoint.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "ops/checkpoint_restore.h"
#include "support/db_dump.h"
#include "support/temp_dir.h"

namespace baliza::ops {
namespace {

namespace fs = std::filesystem;

class Checkpoints : public ::testing::Test {
 protected:
  Checkpoints() : path((dir / "data" / "baliza.duckdb").string()) {
    fs::create_directories(dir / "data");
    open();
    conn->execute(
        "CREATE SCHEMA marts; CREATE TABLE main.people AS SELECT i AS id, 'p' || i AS name, "
        "CASE WHEN i % 3 = 0 THEN NULL ELSE i * 1.5 END AS score FROM range(500) t(i);"
        "CREATE TABLE marts.totals AS SELECT id % 7 AS k, count(*) AS n FROM main.people GROUP "
        "BY ALL; CREATE VIEW marts.top AS SELECT * FROM main.people WHERE score > 100;");
  }
  void open() {
    database = Database::open(path);
    conn = std::make_unique<Connection>(database);
  }
  void close() {
    conn.reset();
    database.reset();
  }
  std::string dump() {
    close();
    std::string d = testing::dump_database(path);
    open();
    return d;
  }
  void change_everything() {
    conn->execute(
        "DELETE FROM main.people WHERE id < 100; INSERT INTO main.people VALUES (9999, 'new', "
        "1.0); DROP TABLE marts.totals; CREATE TABLE marts.other AS SELECT 1 AS x; CREATE OR "
        "REPLACE VIEW marts.top AS SELECT 1 AS y;");
  }
  testing::TempDir dir;
  std::string path;
  std::shared_ptr<Database> database;
  std::unique_ptr<Connection> conn;
  CheckpointPolicy policy;
};

TEST_F(Checkpoints, RollbackRestoresEveryRelationAndRow) {
  std::string before = dump();
  CheckpointInfo c = create_checkpoint(*conn, policy, "before", "manual");
  EXPECT_EQ(c.id, 1);
  EXPECT_EQ(c.file, fs::path(path + ".checkpoints") / "1.duckdb");
  EXPECT_EQ(c.relations, 3);
  EXPECT_EQ(c.method, "file copy");
  EXPECT_EQ(c.rows, 507);
  EXPECT_GT(c.size_bytes, 0u);
  change_everything();
  std::string changed = dump();
  ASSERT_NE(before, changed);
  // Exact counts, deleted rows left out: 500 - 100 + 1 people, 1 other.
  EXPECT_EQ(create_checkpoint(*conn, policy, "", "manual").rows, 402);

  RestorePlan plan = plan_restore(*conn, find_checkpoint(path + ".checkpoints", "before"));
  std::string text = describe_restore(plan);
  EXPECT_NE(text.find("restores table marts.totals (7 rows)"), std::string::npos) << text;
  EXPECT_NE(text.find("removes  table marts.other (1 row): not in the checkpoint"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rows     main.people: 401 -> 500"), std::string::npos) << text;
  EXPECT_NE(text.find("redefines view marts.top"), std::string::npos) << text;
  EXPECT_EQ(plan.changes.size(), 4u);

  restore_checkpoint(c, path, [this] { close(); });
  EXPECT_FALSE(fs::exists(path + ".restore.tmp"));
  EXPECT_EQ(testing::dump_database(path), before);
  open();  // the restored file opens for writing and stays restorable
  RestorePlan again = plan_restore(*conn, c);
  EXPECT_TRUE(again.empty()) << describe_restore(again);
}

TEST_F(Checkpoints, AFailureBeforeTheSwapLeavesTheDatabaseAsItWas) {
  CheckpointInfo c = create_checkpoint(*conn, policy, "", "manual");
  change_everything();
  std::string changed = dump();
  RestoreOptions crash;
  crash.before_swap = [] { throw environment_error("simulated crash before the swap"); };
  EXPECT_THROW(restore_checkpoint(
                   c, path, [this] { close(); }, crash),
               Error);
  EXPECT_FALSE(fs::exists(path + ".restore.tmp"));
  EXPECT_EQ(testing::dump_database(path), changed);
}

TEST_F(Checkpoints, ALeftoverOfAKilledRestoreIsReplaced) {
  CheckpointInfo c = create_checkpoint(*conn, policy, "", "manual");
  std::string before = dump();
  change_everything();
  std::ofstream(path + ".restore.tmp") << "half a copy";
  restore_checkpoint(c, path, [this] { close(); });
  EXPECT_EQ(testing::dump_database(path), before);
}

TEST_F(Checkpoints, AnOpenTransactionElsewhereIsLeftOutByDuckDbsOwnCopy) {
  std::string committed = dump();
  // Another connection of the process holds uncommitted changes: the file plus its log is not
  // a committed state, so the checkpoint is DuckDB's own consistent copy.
  Connection other(database);
  other.execute("BEGIN TRANSACTION; INSERT INTO main.people VALUES (-1, 'uncommitted', 0)");
  CheckpointInfo c = create_checkpoint(*conn, policy, "", "manual");
  other.execute("COMMIT");
  EXPECT_EQ(c.method, "copy from database");
  EXPECT_EQ(c.rows, 507);
  close();
  EXPECT_EQ(testing::dump_database(c.file.string()), committed) << c.method;
}

TEST_F(Checkpoints, ListFindAndPruneByCount) {
  policy.keep = 2;
  for (const char* name : {"a", "b", "c"}) create_checkpoint(*conn, policy, name, "manual");
  fs::path ckdir = path + ".checkpoints";
  ASSERT_EQ(list_checkpoints(ckdir).size(), 3u);
  EXPECT_EQ(find_checkpoint(ckdir, "2").name, "b");
  EXPECT_EQ(find_checkpoint(ckdir, "c").id, 3);
  try {
    find_checkpoint(ckdir, "zzz");
    FAIL() << "found a checkpoint that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("1 (a), 2 (b), 3 (c)"), std::string::npos) << e.what();
  }
  // An unfinished copy (no sidecar) is not listed, and prune removes it.
  std::ofstream(ckdir / "4.duckdb.partial") << "x";
  std::ofstream(ckdir / "5.duckdb") << "x";
  auto removed = prune_checkpoints(ckdir, policy);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].id, 1);
  auto left = list_checkpoints(ckdir);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id, 2);
  EXPECT_FALSE(fs::exists(ckdir / "1.duckdb"));
  EXPECT_FALSE(fs::exists(ckdir / "4.duckdb.partial"));
  EXPECT_FALSE(fs::exists(ckdir / "5.duckdb"));
  // The next id continues after the highest ever seen in the folder.
  EXPECT_EQ(create_checkpoint(*conn, policy, "", "manual").id, 4);
}

TEST_F(Checkpoints, BadNamesAndInMemoryDatabasesAreUsageErrors) {
  for (const char* bad : {"12", "has space", "a/b"}) {
    try {
      create_checkpoint(*conn, policy, bad, "manual");
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage) << bad;
    }
  }
  Connection memory(Database::open(":memory:"));
  EXPECT_FALSE(checkpoint_before(memory, policy, "reset").has_value());
  policy.automatic = false;
  EXPECT_FALSE(checkpoint_before(*conn, policy, "reset").has_value());
  EXPECT_FALSE(fs::exists(path + ".checkpoints"));
}

}  // namespace
}  // namespace baliza::ops
