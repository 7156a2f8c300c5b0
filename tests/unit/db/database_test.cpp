#include "db/database.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "db/duckdb_api.h"
#include "db/lock_error.h"
#include "db/migrations.h"
#include "support/temp_dir.h"

namespace baliza {
namespace {

TEST(Database, QueryReturnsTypedValues) {
  Connection conn(Database::open(":memory:"));
  Result r =
      conn.query("SELECT 42::BIGINT AS n, 'olá' AS s, NULL::INTEGER AS z, 2.5 AS d, true AS b");
  ASSERT_EQ(r.column_count(), 5u);
  ASSERT_EQ(r.row_count(), 1u);
  EXPECT_EQ(r.column_name(1), "s");
  EXPECT_EQ(r.get_int64(0, 0), 42);
  EXPECT_EQ(r.get_string(1, 0), "olá");
  EXPECT_TRUE(r.is_null(2, 0));
  EXPECT_FALSE(r.get_optional_string(2, 0).has_value());
  EXPECT_DOUBLE_EQ(r.get_double(3, 0), 2.5);
  EXPECT_TRUE(r.get_bool(4, 0));
}

TEST(Database, QueryAsTextRendersNestedAndZonedValues) {
  Connection conn(Database::open(":memory:"));
  conn.execute("SET TimeZone = 'UTC'");
  Result r = conn.query_as_text(
      "select [1, 2] as l, {'a': 'x'} as s, map {'k': 1} as m, "
      "'00000000-0000-0000-0000-000000000001'::uuid as u, "
      "timestamptz '2024-03-01 10:00:00+00' as z, 7 as n, 'a;b' as q; -- trailing; comment");
  ASSERT_EQ(r.column_count(), 7u);
  EXPECT_EQ(r.get_string(0, 0), "[1, 2]");
  EXPECT_EQ(r.get_string(1, 0), "{'a': x}");
  EXPECT_EQ(r.get_string(2, 0), "{k=1}");
  EXPECT_EQ(r.get_string(3, 0), "00000000-0000-0000-0000-000000000001");
  EXPECT_EQ(r.get_string(4, 0), "2024-03-01 10:00:00+00");
  EXPECT_EQ(r.column_type(5), DUCKDB_TYPE_INTEGER);  // plain types keep their type
  EXPECT_EQ(r.get_string(6, 0), "a;b");
  EXPECT_EQ(r.column_name(0), "l");
  // Statements other than a SELECT run as they are.
  conn.query_as_text("create table t as select [3] as l");
  EXPECT_EQ(conn.query_as_text("select l from t -- no newline at the end").get_string(0, 0), "[3]");
  EXPECT_THROW(conn.query_as_text("select nope"), Error);
}

TEST(Database, QueryAsTextKeepsDuplicateColumnNames) {
  Connection conn(Database::open(":memory:"));
  Result r = conn.query_as_text(
      "select '00000000-0000-0000-0000-000000000002'::uuid as a, 1 as a, [3] as a");
  ASSERT_EQ(r.column_count(), 3u);
  EXPECT_EQ(r.column_name(1), "a");
  EXPECT_EQ(r.column_name(2), "a");
  EXPECT_EQ(r.get_string(0, 0), "00000000-0000-0000-0000-000000000002");
  EXPECT_EQ(r.get_int64(1, 0), 1);
  EXPECT_EQ(r.get_string(2, 0), "[3]");
}

TEST(Database, ErrorsCarryTheSql) {
  Connection conn(Database::open(":memory:"));
  try {
    conn.query("SELECT * FROM no_such_table");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kFailure);
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos);
    // The statement is quoted once, with a caret at the offending position.
    std::string text = e.what();
    size_t line = text.find("LINE 1: SELECT * FROM no_such_table");
    ASSERT_NE(line, std::string::npos) << text;
    EXPECT_EQ(text.find("LINE 1:", line + 1), std::string::npos) << text;
    EXPECT_NE(text.find('^'), std::string::npos);
  }
}

TEST(Database, PreparedStatementsBindEveryType) {
  Connection conn(Database::open(":memory:"));
  conn.execute("CREATE TABLE t (s VARCHAR, i BIGINT, d DOUBLE, b BOOLEAN, x BLOB, n INTEGER)");
  auto insert = conn.prepare("INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6)");
  std::string blob("a\0b", 3);
  insert.bind(1, "it's")
      .bind(2, int64_t{1} << 40)
      .bind(3, 0.25)
      .bind(4, false)
      .bind_blob(5, blob)
      .bind_null(6);
  EXPECT_EQ(insert.execute().rows_changed(), 1u);
  insert.bind(1, std::optional<std::string>())
      .bind(2, 7)
      .bind(3, 1.0)
      .bind(4, true)
      .bind_blob(5, "")
      .bind(6, 3);
  insert.execute();
  Result r = conn.query("SELECT s, i, d, b, x, n FROM t ORDER BY i DESC");
  EXPECT_EQ(r.get_string(0, 0), "it's");
  EXPECT_EQ(r.get_int64(1, 0), int64_t{1} << 40);
  EXPECT_EQ(r.get_blob(4, 0), blob);
  EXPECT_TRUE(r.is_null(5, 0));
  EXPECT_TRUE(r.is_null(0, 1));
  EXPECT_EQ(r.get_int64(5, 1), 3);
}

TEST(Database, AppenderBulkInserts) {
  Connection conn(Database::open(":memory:"));
  conn.execute("CREATE SCHEMA s; CREATE TABLE s.t (id BIGINT, name VARCHAR, ts TIMESTAMP)");
  {
    Appender app = conn.appender("s", "t");
    for (int64_t i = 0; i < 10000; ++i) {
      app.append(i).append("row" + std::to_string(i)).append("2024-01-15 10:00:00");
      app.end_row();
    }
    app.close();
  }
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM s.t"), "10000");
  EXPECT_EQ(conn.scalar("SELECT max(name) FROM s.t WHERE id = 9999"), "row9999");
  EXPECT_EQ(conn.scalar("SELECT min(ts) FROM s.t"), "2024-01-15 10:00:00");
}

TEST(Database, AppenderToMissingTableNamesIt) {
  Connection conn(Database::open(":memory:"));
  try {
    conn.appender("main", "missing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("main.missing"), std::string::npos);
  }
}

TEST(Database, TransactionRollsBackOnError) {
  Connection conn(Database::open(":memory:"));
  conn.execute("CREATE TABLE t (x INTEGER)");
  EXPECT_THROW(conn.transaction([&] {
    conn.execute("INSERT INTO t VALUES (1)");
    throw failure("boom");
  }),
               Error);
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM t"), "0");
  conn.transaction([&] { conn.execute("INSERT INTO t VALUES (2)"); });
  EXPECT_EQ(conn.scalar("SELECT sum(x) FROM t"), "2");
}

TEST(Database, ScalarFunctionFromCpp) {
  Connection conn(Database::open(":memory:"));
  ScalarFunction twice;
  twice.name = "twice";
  twice.parameters = {DUCKDB_TYPE_BIGINT};
  twice.return_type = DUCKDB_TYPE_BIGINT;
  twice.body = [](duckdb_data_chunk in, duckdb_vector out) {
    const DuckDbApi& api = duckdb_api();
    idx_t n = api.duckdb_data_chunk_get_size(in);
    auto* src =
        static_cast<int64_t*>(api.duckdb_vector_get_data(api.duckdb_data_chunk_get_vector(in, 0)));
    auto* dst = static_cast<int64_t*>(api.duckdb_vector_get_data(out));
    for (idx_t i = 0; i < n; ++i) {
      if (src[i] < 0) throw failure("negative input");
      dst[i] = src[i] * 2;
    }
  };
  conn.register_scalar_function(std::move(twice));
  EXPECT_EQ(conn.scalar("SELECT sum(twice(range)) FROM range(5000)"), "24995000");
  try {
    conn.query("SELECT twice(-1)");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("twice: negative input"), std::string::npos);
  }
}

TEST(Migrations, CreateTheDataModelOnceAndRecordTheVersion) {
  testing::TempDir dir;
  std::string path = (dir / "sub" / "db.duckdb").string();
  {
    Connection conn(Database::open(path));
    EXPECT_EQ(current_schema_version(conn), 0);
    EXPECT_EQ(apply_migrations(conn), latest_schema_version());
    EXPECT_EQ(apply_migrations(conn), 0);
    EXPECT_EQ(current_schema_version(conn), latest_schema_version());
    for (const char* table : {"planning.task_plan", "planning.task_plan_meta",
                              "runtime.task_claims", "runtime.task_results", "raw.api_requests",
                              "raw.payloads", "meta.execution_log", "meta.pipeline_metrics",
                              "meta.schema_versions", "meta.failed_requests", "meta.checkpoints"}) {
      EXPECT_EQ(conn.scalar(std::string("SELECT count(*) FROM ") + table), "0") << table;
    }
  }
  Connection again(Database::open(path));
  EXPECT_EQ(apply_migrations(again), 0);
  EXPECT_EQ(again.scalar("SELECT count(*) FROM meta.schema_migrations"),
            std::to_string(latest_schema_version()));
}

TEST(LockError, NamesTheHolderAndTheFix) {
  std::string message =
      "IO Error: Could not set lock on file \"/x/db.duckdb\": Conflicting lock is held in "
      "/usr/bin/baliza (PID 1) by user root.";
  auto error = lock_conflict_error("data/db.duckdb", message);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code(), ExitCode::kEnvironment);
  std::string text = error->what();
  EXPECT_NE(text.find("data/db.duckdb is locked by process 1"), std::string::npos);
  EXPECT_NE(text.find("kill 1"), std::string::npos);
  EXPECT_FALSE(lock_conflict_error("x", "Catalog Error: table missing").has_value());
}

TEST(LockError, ReadsTheCommandLineOfALiveProcess) {
  std::string self = process_command_line(getpid());
  EXPECT_NE(self.find("unit_db_tests"), std::string::npos) << self;
}

TEST(Quoting, IdentifiersAndLiterals) {
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
  Connection conn(Database::open(":memory:"));
  EXPECT_EQ(conn.scalar("SELECT " + quote_literal("it's")), "it's");
}

}  // namespace
}  // namespace baliza
