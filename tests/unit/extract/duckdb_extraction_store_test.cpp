// DuckDbExtractionStore: a page asked again because its stored answer was wrong
// (PageWrite::replaces_current) leaves exactly one current result for its page, whether the
// answer it replaces was committed in an earlier batch or is still in the same one.
#include "extract/duckdb_extraction_store.h"

#include <gtest/gtest.h>

#include "db/database.h"
#include "db/migrations.h"
#include "extract/writer.h"

namespace baliza::extract {
namespace {

PageWrite page_write(const std::string& at, bool replaces) {
  PageWrite w;
  w.request.task_id = "t1";
  w.request.endpoint = "contratos";
  w.request.url = "http://127.0.0.1:1/v1/contratos?pagina=2";
  w.request.page = 2;
  w.request.collected_at = at;
  w.records = 10;
  w.total_records = 25;
  w.total_pages = 3;
  w.run_id = "r1";
  w.replaces_current = replaces;
  return w;
}

class ExtractionStoreReplace : public ::testing::TestWithParam<bool> {};

TEST_P(ExtractionStoreReplace, LeavesOneCurrentResultPerPage) {
  const bool same_batch = GetParam();
  Connection conn(Database::open(":memory:"));
  apply_migrations(conn);
  {
    Writer writer(conn, WriterOptions{512, std::chrono::milliseconds(60000), 4096});
    DuckDbExtractionStore store(writer);
    store.put_page(page_write("2024-03-05 10:00:00", false));
    if (!same_batch) writer.flush();
    store.put_page(page_write("2024-03-05 10:00:01", true));
    writer.flush();
    writer.stop();
  }
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM runtime.task_results"), "2");
  EXPECT_EQ(conn.scalar("SELECT count(*) FROM runtime.task_results WHERE superseded_at IS NULL"),
            "1");
  EXPECT_EQ(conn.scalar("SELECT completed_at::VARCHAR FROM runtime.task_results WHERE "
                        "superseded_at IS NULL"),
            "2024-03-05 10:00:01");
}

INSTANTIATE_TEST_SUITE_P(Batches, ExtractionStoreReplace, ::testing::Values(true, false),
                         [](const auto& info) {
                           return std::string(info.param ? "SameBatch" : "EarlierBatch");
                         });

}  // namespace
}  // namespace baliza::extract
