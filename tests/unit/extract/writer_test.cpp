#include "extract/writer.h"

#include <gtest/gtest.h>

#include "core/error.h"

#include <atomic>
#include <thread>
#include <vector>

namespace baliza::extract {
namespace {

class WriterTest : public ::testing::Test {
 protected:
  WriterTest() : conn(Database::open(":memory:")) {
    conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v VARCHAR)");
  }
  std::int64_t rows() { return std::stoll(conn.scalar("SELECT count(*) FROM t").value_or("-1")); }
  Connection conn;
};

TEST_F(WriterTest, BatchesItemsInTransactions) {
  Writer writer(conn, WriterOptions{100, std::chrono::milliseconds(1000), 4096});
  for (int i = 0; i < 1000; ++i) {
    writer.enqueue(
        [i](Connection& c) { c.prepare("INSERT INTO t VALUES ($1, 'x')").bind(1, i).execute(); });
  }
  writer.flush();
  EXPECT_EQ(writer.stats().items, 1000u);
  EXPECT_LE(writer.stats().batches, 12u);  // ~100 items per commit, plus the flush
  writer.stop();
  EXPECT_EQ(rows(), 1000);
}

TEST_F(WriterTest, ManyProducersNoLoss) {
  Writer writer(conn, WriterOptions{64, std::chrono::milliseconds(5), 32});  // tiny queue
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < 250; ++i) {
        const int k = p * 1000 + i;
        writer.enqueue([k](Connection& c) {
          c.prepare("INSERT INTO t VALUES ($1, 'x')").bind(1, k).execute();
        });
      }
    });
  }
  for (auto& t : producers) t.join();
  writer.stop();
  EXPECT_EQ(rows(), 1000);
}

TEST_F(WriterTest, FailingItemIsIsolatedAndReported) {
  std::vector<std::string> errors;
  Writer writer(conn, WriterOptions{50, std::chrono::milliseconds(1000), 4096});
  writer.set_error_handler([&](const std::string& m) { errors.push_back(m); });
  for (int i = 0; i < 10; ++i) {
    writer.enqueue([i](Connection& c) {
      c.prepare("INSERT INTO t VALUES ($1, 'x')").bind(1, i == 5 ? 4 : i).execute();  // dup key
    });
  }
  writer.flush();
  EXPECT_EQ(rows(), 9);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("primary key"), std::string::npos) << errors[0];
  EXPECT_EQ(writer.stats().failed, 1u);
}

TEST_F(WriterTest, CallSeesEarlierWritesAndReturnsValues) {
  Writer writer(conn);
  writer.enqueue([](Connection& c) { c.execute("INSERT INTO t VALUES (1, 'a')"); });
  const std::string v =
      writer.call([](Connection& c) { return c.scalar("SELECT v FROM t WHERE k = 1").value(); });
  EXPECT_EQ(v, "a");
  EXPECT_THROW(writer.call([](Connection& c) { c.execute("SELECT * FROM missing"); }), Error);
  // The writer goes on after a failed call.
  EXPECT_EQ(writer.call([](Connection& c) { return c.scalar("SELECT 41 + 1").value(); }), "42");
}

TEST_F(WriterTest, IntervalCommitsWithoutFlush) {
  Writer writer(conn, WriterOptions{1000, std::chrono::milliseconds(20), 4096});
  writer.enqueue([](Connection& c) { c.execute("INSERT INTO t VALUES (1, 'a')"); });
  for (int i = 0; i < 100 && writer.stats().items == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(writer.stats().items, 1u);
}

TEST_F(WriterTest, StopCommitsAndRefusesMore) {
  auto writer = std::make_unique<Writer>(conn, WriterOptions{1000, std::chrono::seconds(10), 4096});
  writer->enqueue([](Connection& c) { c.execute("INSERT INTO t VALUES (1, 'a')"); });
  writer->stop();
  EXPECT_EQ(rows(), 1);
  EXPECT_THROW(writer->enqueue([](Connection&) {}), Error);
}

}  // namespace
}  // namespace baliza::extract
