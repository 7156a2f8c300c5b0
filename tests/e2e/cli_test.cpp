// End-to-end: the built baliza binary, run as a user would, in a fresh folder.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "db/migrations.h"
#include "extract/raw_store.h"
#include "support/baliza_cli.h"

namespace baliza {
namespace {

using testing::ProcessResult;
using testing::run_command;

class Cli : public testing::BalizaCli {};

TEST_F(Cli, VersionAndHelp) {
  auto v = baliza("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, "baliza " BALIZA_VERSION "\n");
  auto h = baliza("query --help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--format"), std::string::npos);
  auto bad = baliza("no-such-command");
  EXPECT_EQ(bad.exit_code, 2);
}

TEST_F(Cli, InitTwiceIsSafe) {
  auto first = baliza("init");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("created baliza.yml"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "data" / "baliza.duckdb"));
  auto marker = baliza("query \"create table main.keep as select 7 as x\"");
  ASSERT_EQ(marker.exit_code, 0) << marker.err;
  auto second = baliza("init");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("already exists"), std::string::npos);
  auto kept = baliza("query \"select x from main.keep\" --format csv");
  EXPECT_EQ(kept.out, "x\n7\n");
}

TEST_F(Cli, QueryFormats) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  std::string sql =
      "\"select 1 as n, 'a,b' as s, null as z union all select 22, 'c', 3 order by n\"";
  auto table = baliza("query " + sql);
  EXPECT_EQ(table.out,
            "n   s    z\n"
            "--  ---  ----\n"
            " 1  a,b  NULL\n"
            "22  c       3\n"
            "(2 rows)\n");
  auto csv = baliza("query -f csv " + sql);
  EXPECT_EQ(csv.out, "n,s,z\n1,\"a,b\",\n22,c,3\n");
  auto json = baliza("query --format json " + sql);
  EXPECT_EQ(
      json.out,
      "[\n {\"n\": 1, \"s\": \"a,b\", \"z\": null},\n {\"n\": 22, \"s\": \"c\", \"z\": 3}\n]\n");
}

TEST_F(Cli, DuckDbLimitsComeFromBalizaYml) {
  std::ofstream(dir / "baliza.yml") << "name: t\nduckdb:\n  memory_limit: 2GiB\n  threads: 1\n";
  auto r = baliza(
      "query -f csv \"select current_setting('memory_limit') || '/' || "
      "current_setting('threads') as v\"");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "v\n2.0 GiB/1\n");
  std::ofstream(dir / "baliza.yml") << "name: t\nduckdb:\n  memory_limit: plenty\n";
  auto bad = baliza("query \"select 1\"");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("baliza.yml:3:17"), std::string::npos) << bad.err;
}

TEST_F(Cli, QueryErrorShowsDuckDbMessageAndPosition) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  auto r = baliza("query \"select * fro nothing\"");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("syntax error at or near"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("LINE 1: select * fro nothing"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST_F(Cli, ResetRefusesWithoutForceAndSaysWhatWouldGo) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  auto refused = baliza("reset");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("data/baliza.duckdb"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "data" / "baliza.duckdb"));
  auto forced = baliza("reset --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "data" / "baliza.duckdb"));
}

TEST_F(Cli, YamlErrorIsReportedWithFileAndLine) {
  std::ofstream(dir / "baliza.yml") << "name: demo\nraw_store:\n  zstd_level: [1,\n";
  auto r = baliza("doctor");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE((r.out + r.err).find("baliza.yml:4:1"), std::string::npos) << r.out << r.err;
  auto q = baliza("query \"select 1\"");
  EXPECT_EQ(q.exit_code, 2);
  EXPECT_NE(q.err.find("YAML error in"), std::string::npos) << q.err;
}

TEST_F(Cli, DoctorPassesOnAFreshDatabase) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  auto r = baliza("doctor");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* check : {"config", "duckdb: v1.4", "database", "extensions", "schema", "disk"}) {
    EXPECT_NE(r.out.find(std::string("[ok]   ") + check), std::string::npos) << check << "\n"
                                                                             << r.out;
  }
}

TEST_F(Cli, DbFlagAndEnvironmentChooseTheFile) {
  auto r = baliza("--db other.duckdb query \"select 1\"");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "other.duckdb"));
  auto e = run_command(std::string("BALIZA_DB=env.duckdb ") + BALIZA_BIN + " query \"select 1\"",
                       dir.path());
  EXPECT_EQ(e.exit_code, 0) << e.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "env.duckdb"));
}

TEST_F(Cli, SecondProcessGetsAClearLockError) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  // A first process holds the database with a long write; a second writer must fail at once
  // (reads are served by the holder: see tests/integration/read_socket_process_test.cpp).
  std::string holder =
      std::string(BALIZA_BIN) +
      " query \"create table main.big as select count(*) c from range(100000000000) a\" "
      ">/dev/null 2>&1 & echo $!";
  auto started = run_command(holder, dir.path());
  int pid = std::stoi(started.out);
  // It holds the file once it serves reads (a second process started earlier could win the lock).
  for (int i = 0; i < 200 && !std::filesystem::exists(dir / "data/baliza.duckdb.sock"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ProcessResult r;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto begin = std::chrono::steady_clock::now();
    r = baliza("init -q");
    auto took = std::chrono::steady_clock::now() - begin;
    if (r.exit_code == 3) {
      EXPECT_LT(took, std::chrono::seconds(10));  // no hang
      break;
    }
  }
  auto read = baliza("query -f csv \"select 41 + 1 as x\"");
  kill(pid, SIGKILL);
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, "x\n42\n");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("is locked by process " + std::to_string(pid)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("baliza query"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("kill " + std::to_string(pid)), std::string::npos) << r.err;
}

TEST_F(Cli, FetchPayloadRoundTripAndCorruptionDetected) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  std::string body = testing::read_file(std::string(BALIZA_SHARED_DIR) +
                                        "/pncp/samples/contratos_page_sample.json");
  std::string sha;
  {
    Connection conn(Database::open((dir / "data" / "baliza.duckdb").string()));
    RawStore store(conn);
    RawRequest req;
    req.endpoint = "contratos";
    req.url = "http://127.0.0.1/v1/contratos";
    sha = store.put(req, body).sha256;
  }
  auto full = baliza("fetch-payload " + sha);
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(full.out, body);
  auto prefix = baliza("fetch-payload " + sha.substr(0, 10));
  EXPECT_EQ(prefix.out, body);
  auto unknown = baliza("fetch-payload 0000000000");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no payload"), std::string::npos);
  {
    Connection conn(Database::open((dir / "data" / "baliza.duckdb").string()));
    PreparedPayload other = prepare_payload(body + "\n", {});
    conn.prepare("UPDATE raw.payloads SET compressed = $1")
        .bind_blob(1, other.compressed)
        .execute();
  }
  auto corrupt = baliza("fetch-payload " + sha);
  EXPECT_EQ(corrupt.exit_code, 1);
  EXPECT_TRUE(corrupt.out.empty());
  EXPECT_NE(corrupt.err.find("corrupted"), std::string::npos) << corrupt.err;
}

TEST_F(Cli, BackupMakesAQueryableCopy) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  ASSERT_EQ(baliza("query \"create table main.t as select range as x from range(1000)\"").exit_code,
            0);
  auto r = baliza("backup");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string path = r.out.substr(0, r.out.find(" ("));
  ASSERT_TRUE(std::filesystem::exists(dir / path)) << r.out;
  auto q = baliza("--db " + path + " query \"select sum(x) from main.t\" -f csv");
  EXPECT_EQ(q.out, "sum(x)\n499500\n");
}

TEST_F(Cli, DumpCatalogListsTablesWithCounts) {
  ASSERT_EQ(baliza("init -q").exit_code, 0);
  auto md = baliza("dump-catalog");
  EXPECT_NE(md.out.find("## raw.payloads (BASE TABLE, 0 rows)"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| payload_sha256 | VARCHAR | no |"), std::string::npos);
  auto json = baliza("dump-catalog --format json");
  EXPECT_NE(json.out.find("\"schema\": \"planning\", \"name\": \"task_plan\""), std::string::npos);
}

}  // namespace
}  // namespace baliza
