// The read server and its guard, in one process: a database held by this test serves reads
// through its socket; writes, attaches, installs and file reads are refused with exit code 2;
// the socket is owner-only; a reader that opens the file itself can run beside other readers.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "core/error.h"
#include "db/database.h"
#include "db/read_guard.h"
#include "db/read_server.h"
#include "db/read_socket.h"
#include "db/reader.h"
#include "db/writer_intent.h"
#include "support/temp_dir.h"

namespace baliza {
namespace {

class ReadServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path = (dir / "held.duckdb").string();
    db = Database::open(path);
    writer = std::make_unique<Connection>(db);
    writer->execute(
        "CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT range AS id, 'r' || range AS name "
        "FROM range(5)");
    server = ReadServer::start(db, nullptr);
  }
  void TearDown() override {
    server.reset();
    writer.reset();
    db.reset();
  }
  // The exit code a statement sent through the socket fails with (0 when it runs).
  int refused_with(const std::string& sql) {
    auto reader = socket_reader(path);
    EXPECT_NE(reader, nullptr);
    try {
      reader->query(sql);
      return 0;
    } catch (const Error& e) {
      last_message = e.what();
      return static_cast<int>(e.code());
    }
  }
  testing::TempDir dir;
  std::string path, last_message;
  std::shared_ptr<Database> db;
  std::unique_ptr<Connection> writer;
  std::unique_ptr<ReadServer> server;
};

TEST_F(ReadServerTest, ServesCommittedRowsWithParameters) {
  auto reader = socket_reader(path);
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->served_by_holder());
  TextTable t = reader->query("SELECT count(*) AS n FROM marts.t");
  ASSERT_EQ(t.row_count(), 1u);
  EXPECT_EQ(t.names[0], "n");
  EXPECT_EQ(t.text(0, 0), "5");
  t = reader->query("SELECT name, NULL AS nothing FROM marts.t WHERE id = $1", {"3"});
  ASSERT_EQ(t.row_count(), 1u);
  EXPECT_EQ(t.text(0, 0), "r3");
  EXPECT_TRUE(t.is_null(1, 0));
  // Types the C API cannot render come back as DuckDB's text.
  t = reader->query("SELECT [1, 2] AS l, {'a': 'x'} AS s");
  EXPECT_EQ(t.text(0, 0), "[1, 2]");
  EXPECT_EQ(t.text(1, 0), "{'a': x}");
  // A row limit marks the result truncated.
  t = reader->query("SELECT * FROM marts.t ORDER BY id", {}, 2);
  EXPECT_EQ(t.row_count(), 2u);
  EXPECT_TRUE(t.truncated);
  // An uncommitted write of the holder is invisible; once committed it is seen.
  writer->execute("BEGIN; INSERT INTO marts.t VALUES (9, 'nine')");
  EXPECT_EQ(reader->query("SELECT count(*) FROM marts.t").text(0, 0), "5");
  writer->execute("COMMIT");
  EXPECT_EQ(reader->query("SELECT count(*) FROM marts.t").text(0, 0), "6");
}

TEST_F(ReadServerTest, RefusesWritesAttachesInstallsAndFileReads) {
  std::ofstream(dir / "secret.csv") << "a\n42\n";
  std::string csv = (dir / "secret.csv").string();
  const std::vector<std::string> refused = {
      "INSERT INTO marts.t VALUES (7, 'x')",
      "DELETE FROM marts.t",
      "UPDATE marts.t SET name = 'x'",
      "CREATE TABLE marts.u AS SELECT 1",
      "DROP TABLE marts.t",
      "COPY marts.t TO '" + (dir / "out.csv").string() + "'",
      "ATTACH '" + (dir / "other.duckdb").string() + "' AS other",
      "INSTALL httpfs",
      "LOAD json",
      "SET threads = 1",
      "PRAGMA version",
      "CHECKPOINT",
      "EXPORT DATABASE '" + (dir / "export").string() + "'",
      "SELECT 1; SELECT 2",
      "SELECT * FROM read_csv('" + csv + "')",
      "SELECT * FROM read_text('" + csv + "')",
      "SELECT * FROM read_blob('" + csv + "')",
      "SELECT * FROM glob('" + dir.str() + "/*')",
      "SELECT * FROM '" + csv + "'",
      "SELECT * FROM marts.t WHERE id IN (SELECT a FROM read_csv_auto('" + csv + "'))",
      "WITH x AS (SELECT * FROM read_text('" + csv + "')) SELECT * FROM x",
      "SELECT * FROM query('SELECT 1')",
      "SELECT * FROM checkpoint()",
      "SELECT write_log('x')",
  };
  for (const auto& sql : refused) {
    EXPECT_EQ(refused_with(sql), 2) << sql << "\n" << last_message;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir / "other.duckdb"));
  EXPECT_EQ(writer->scalar("SELECT count(*) FROM marts.t"), "5");
  // Reads still pass: catalog functions, CTEs, range, information_schema.
  EXPECT_EQ(refused_with("WITH c AS (SELECT * FROM marts.t) SELECT count(*) FROM c, range(2)"), 0);
  EXPECT_EQ(refused_with("SELECT count(*) FROM duckdb_tables()"), 0);
  EXPECT_EQ(refused_with("SELECT count(*) FROM information_schema.columns"), 0);
}

// A read procedure runs in the holder on the client's connection: it sees committed rows, and
// whatever SQL it runs must be one SELECT (select-only mode, a READ ONLY transaction).
TEST_F(ReadServerTest, ProceduresRunReadOnlyInTheHolder) {
  server.reset();
  ReadProcedures procedures;
  procedures["count"] = [](Connection& conn, const std::string& table) {
    return *conn.scalar("SELECT count(*) FROM marts." + quote_identifier(table));
  };
  procedures["run"] = [](Connection& conn, const std::string& sql) {
    conn.query(sql);
    return std::string("ran");
  };
  server = ReadServer::start(db, nullptr, procedures);
  auto reader = socket_reader(path);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->call("count", "t"), "5");
  writer->execute("INSERT INTO marts.t VALUES (5, 'r5')");
  EXPECT_EQ(reader->call("count", "t"), "6");  // committed rows, a snapshot per call
  for (const std::string sql : {"INSERT INTO marts.t VALUES (9, 'x')", "DROP TABLE marts.t",
                                "CREATE TABLE marts.u AS SELECT 1", "SELECT 1; DELETE FROM marts.t",
                                "COMMIT", "SET threads = 1"}) {
    try {
      reader->call("run", sql);
      ADD_FAILURE() << "a procedure ran: " << sql;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage) << sql << ": " << e.what();
    }
  }
  EXPECT_EQ(reader->call("run", "SELECT count(*) FROM marts.t"), "ran");
  EXPECT_EQ(writer->scalar("SELECT count(*) FROM marts.t"), "6");
  try {
    reader->call("nope", "");
    ADD_FAILURE() << "an unknown procedure ran";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
  // The same procedures run in a reader that opened the file itself (here: this process's
  // connection), with the same rules.
  ReadProcedures local = procedures;
  auto here = connection_reader(*writer, false, local);
  EXPECT_EQ(here->call("count", "t"), "6");
  EXPECT_THROW(here->call("run", "DELETE FROM marts.t"), Error);
  EXPECT_EQ(writer->scalar("SELECT count(*) FROM marts.t"), "6");
  EXPECT_FALSE(writer->select_only());
}

TEST_F(ReadServerTest, SocketIsOwnerOnlyAndRemovedOnStop) {
  struct stat st {};
  ASSERT_EQ(::stat(read_socket_path(path).c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  server->stop();
  EXPECT_FALSE(std::filesystem::exists(read_socket_path(path)));
  EXPECT_EQ(socket_reader(path), nullptr);
}

TEST_F(ReadServerTest, StaleSocketIsIgnoredAndReplaced) {
  server.reset();
  // A socket file left by a process that died: nobody answers there.
  { auto stale = ReadServer::start(db, nullptr); }
  std::ofstream(read_socket_path(path)) << "";
  EXPECT_EQ(socket_reader(path), nullptr);
  server = ReadServer::start(db, nullptr);
  ASSERT_NE(socket_reader(path), nullptr);
}

TEST(ReaderTest, ReadOnlyFileReadersCoexistAndGuardFileAccess) {
  testing::TempDir dir;
  std::string path = (dir / "plain.duckdb").string();
  {
    auto db = Database::open(path);
    Connection(db).execute("CREATE TABLE t AS SELECT 1 AS x");
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read);
  ReaderOptions plain;
  auto a = open_reader(path, plain);
  auto b = open_reader(path, plain);  // a second read-only opener of the same file
  EXPECT_FALSE(a->served_by_holder());
  EXPECT_EQ(a->query("SELECT x FROM t").text(0, 0), "1");
  EXPECT_EQ(b->query("SELECT count(*) FROM t").text(0, 0), "1");
  EXPECT_TRUE(a->can_read("SELECT 1"));
  EXPECT_FALSE(a->can_read("INSERT INTO t VALUES (2)"));
  ReaderOptions guarded;
  guarded.guard = true;
  auto c = open_reader(path, guarded);
  std::ofstream(dir / "f.csv") << "a\n1\n";
  try {
    c->query("SELECT * FROM read_csv('" + (dir / "f.csv").string() + "')");
    FAIL() << "a guarded reader read a file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
    EXPECT_NE(std::string(e.what()).find("read_csv() is not allowed"), std::string::npos)
        << e.what();
  }
  // Under the guard, DuckDB itself (enable_external_access=false) refuses too.
  ASSERT_NE(c->connection(), nullptr);
  try {
    c->connection()->query("SELECT * FROM read_csv('" + (dir / "f.csv").string() + "')");
    FAIL() << "a guarded reader's connection read a file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("file system operations are disabled"), std::string::npos)
        << e.what();
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

TEST(ReaderTest, MissingFileSaysHowToCreateIt) {
  testing::TempDir dir;
  try {
    open_reader((dir / "none.duckdb").string(), {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kEnvironment);
    EXPECT_NE(std::string(e.what()).find("baliza init"), std::string::npos) << e.what();
  }
}

TEST(ReadSocketTest, FramesRoundTrip) {
  ReadRequest request{"SELECT $1", {std::string("a\0b", 3), std::nullopt}, 10};
  ReadRequest back = decode_request(encode_request(request));
  EXPECT_EQ(back.sql, request.sql);
  EXPECT_EQ(back.params, request.params);
  EXPECT_EQ(back.max_rows, 10u);
  ReadResponse response;
  response.table.names = {"a", "b"};
  response.table.types = {DUCKDB_TYPE_VARCHAR, DUCKDB_TYPE_BIGINT};
  response.table.rows = {{std::string("<script>"), std::nullopt}};
  ReadResponse r = decode_response(encode_response(response));
  EXPECT_EQ(r.table.names, response.table.names);
  EXPECT_EQ(r.table.rows, response.table.rows);
  std::string bad = encode_response(response);
  bad.resize(bad.size() - 3);
  EXPECT_THROW(decode_response(bad), std::exception);
}

}  // namespace
}  // namespace baliza

namespace baliza {
namespace {

TEST(WriterIntentTest, ReadersOnlyLocksAndAnnouncedWriters) {
  testing::TempDir dir;
  std::string path = (dir / "w.duckdb").string();
  { Connection(Database::open(path)).execute("CREATE TABLE t AS SELECT 1 AS x"); }
  EXPECT_FALSE(held_by_readers_only(path));  // nobody holds it
  {
    auto reader = open_reader(path, {});
    EXPECT_TRUE(held_by_readers_only(path));  // a read-only opener: shared lock only
  }
  {
    auto db = Database::open(path);
    EXPECT_FALSE(held_by_readers_only(path));  // a writer
  }
  EXPECT_FALSE(writer_waiting(path));
  std::ofstream(path + ".writer") << getppid() << "\n";  // a live process
  EXPECT_TRUE(writer_waiting(path));
  std::ofstream(path + ".writer") << 999999999 << "\n";  // no such process
  EXPECT_FALSE(writer_waiting(path));
  std::filesystem::remove(path + ".writer");
  { WriterIntent mine(path); }  // this process's own announcement is removed with it
  EXPECT_FALSE(std::filesystem::exists(path + ".writer"));
}

}  // namespace
}  // namespace baliza
