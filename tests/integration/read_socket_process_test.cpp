// Reads that never wait: while `baliza extract` holds the database (a child process against the
// simulator), `baliza query`, `dump-catalog` and `recovery-status` answer with what it has
// committed (exit 0), a write through the socket is refused with exit 2 naming the holder, and
// a write with --wait runs once the extraction ends.
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "integration/extract_test_support.h"
#include "support/child_process.h"
#include "support/process.h"
#include "support/spawned.h"

namespace baliza::extract_test {
namespace {

using testing::baliza_bin;

class ReadsDuringExtract : public Extraction {
 protected:
  void SetUp() override {
    start_sim();
    // Slow enough that the extraction is still running while the test reads.
    std::ofstream(dir / "endpoints.yaml") << kFastDefaults << R"(
  rate_limit: {requests_per_second: 40, burst: 2}
endpoints:
  - name: contratos
    page_size: 10
)";
  }
  std::string db_path() const { return (dir / "baliza.duckdb").string(); }
  testing::ProcessResult baliza(const std::string& args) {
    return testing::run_command(
        "env -u BALIZA_DB " + baliza_bin() + " --db " + db_path() + " " + args, dir.path());
  }
  void wait_for_requests(std::uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sim->stats().total_requests < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GE(sim->stats().total_requests, n);
  }
};

TEST_F(ReadsDuringExtract, QueryCatalogAndStatusAnswerWhileExtractHolds) {
  testing::Spawned extract(
      dir.path(), {baliza_bin(), "--db", db_path(), "extract", "--mes", "2024-01", "--endpoint",
                   "contratos", "--base-url", sim->base_url()});
  wait_for_requests(20);
  ASSERT_TRUE(extract.running()) << extract.err();
  ASSERT_TRUE(std::filesystem::exists(db_path() + ".sock")) << extract.err();
  struct stat st {};
  ASSERT_EQ(::stat((db_path() + ".sock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto count = baliza("query -f csv \"select count(*) as n from raw.api_requests\"");
  ASSERT_EQ(count.exit_code, 0) << count.err;
  const std::int64_t seen = std::stoll(count.out.substr(count.out.find('\n') + 1));
  EXPECT_GT(seen, 0);

  auto write = baliza("query \"create table main.x as select 1 as a\"");
  EXPECT_EQ(write.exit_code, 2) << write.out << write.err;
  EXPECT_NE(write.err.find("held by process " + std::to_string(extract.pid())), std::string::npos)
      << write.err;
  auto file_read = baliza("query \"select * from read_text('/etc/hostname')\"");
  EXPECT_EQ(file_read.exit_code, 2) << file_read.err;

  auto catalog = baliza("dump-catalog -f json");
  EXPECT_EQ(catalog.exit_code, 0) << catalog.err;
  EXPECT_NE(catalog.out.find("\"api_requests\""), std::string::npos);

  auto status = baliza("recovery-status 2024-01");
  EXPECT_NE(status.out.find("contratos"), std::string::npos) << status.err;
  EXPECT_TRUE(status.exit_code == 0 || status.exit_code == 1) << status.err;

  EXPECT_TRUE(extract.running()) << "the extraction ended before the reads; the test proved "
                                    "nothing (slow it down)";
  // A write that waits runs after the extraction releases the file.
  auto waited = baliza("--wait=120 query \"create table main.after_extract as select 1 as a\"");
  EXPECT_EQ(waited.exit_code, 0) << waited.err;
  EXPECT_EQ(extract.wait(), 0) << extract.err();
  EXPECT_FALSE(std::filesystem::exists(db_path() + ".sock"));

  auto final_count = baliza("query -f csv \"select count(*) from raw.api_requests\"");
  ASSERT_EQ(final_count.exit_code, 0) << final_count.err;
  EXPECT_GE(std::stoll(final_count.out.substr(final_count.out.find('\n') + 1)), seen);
  auto after = baliza("query -f csv \"select a from main.after_extract\"");
  EXPECT_EQ(after.out, "a\n1\n") << after.err;
}

TEST_F(ReadsDuringExtract, SecondWriterFailsFastNamingTheHolder) {
  testing::Spawned extract(
      dir.path(), {baliza_bin(), "--db", db_path(), "extract", "--mes", "2024-01", "--endpoint",
                   "contratos", "--base-url", sim->base_url()});
  wait_for_requests(10);
  ASSERT_TRUE(extract.running()) << extract.err();
  auto second = baliza("extract --mes 2024-01 --endpoint contratos --base-url " + sim->base_url());
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find(std::to_string(extract.pid())), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("--wait"), std::string::npos) << second.err;
  EXPECT_EQ(extract.wait(), 0) << extract.err();
}

}  // namespace
}  // namespace baliza::extract_test
